"""A curriculum that follows a published list: fetched through readlist/http.py from a local
server, prepared for an admin when it changed, never applied by itself."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from werkzeug import Response

from curricula.models import Curriculum, Entry, SourceUpdate
from curricula.services import curriculum_import
from curricula.sync import check_all_sources, curriculum_source_check, source_update_dismiss
from curricula.tasks import check_curriculum_sources
from tests import factories

pytestmark = pytest.mark.django_db

V1 = "# List\n\n## Topic\n\n- [Paper A](https://example.org/a)\n"
V2 = V1 + "- [Paper B](https://example.org/b)\n"


@pytest.fixture
def followed(fetch_local, httpserver):
    curriculum_import(actor=None, text=V1, slug="follows")
    curriculum = Curriculum.objects.get(slug="follows")
    curriculum.source_url = httpserver.url_for("/list.md")
    curriculum.save()
    return curriculum


def test_a_changed_source_is_prepared_for_an_admin_and_not_applied(followed, httpserver):
    httpserver.expect_request("/list.md").respond_with_data(
        V2, headers={"ETag": '"v2"', "Last-Modified": "Mon, 30 Nov 2026 04:00:00 GMT"}
    )
    outcome = curriculum_source_check(curriculum=followed)
    assert outcome.outcome == "prepared"
    update = SourceUpdate.objects.get(curriculum=followed)
    assert update.text == V2 and "Added: 1" in update.summary_text
    assert Entry.objects.filter(curriculum=followed).count() == 1  # nothing applied
    followed.refresh_from_db()
    assert followed.source_etag == '"v2"'
    # Fetched again: the same text is not prepared twice.
    assert curriculum_source_check(curriculum=followed).outcome == "already_prepared"
    assert SourceUpdate.objects.count() == 1


def test_the_next_check_is_conditional_and_a_304_changes_nothing(followed, httpserver):
    followed.source_etag, followed.source_last_modified = '"v1"', "Sun, 29 Nov 2026 00:00:00 GMT"
    followed.save()
    httpserver.expect_request(
        "/list.md",
        headers={"If-None-Match": '"v1"', "If-Modified-Since": "Sun, 29 Nov 2026 00:00:00 GMT"},
    ).respond_with_response(Response(status=304))
    assert curriculum_source_check(curriculum=followed).outcome == "unchanged"
    assert not SourceUpdate.objects.exists()


@pytest.mark.parametrize(
    ("respond", "detail"),
    [
        (lambda s: s.respond_with_data("down", status=503), "HTTP 503"),
        (lambda s: s.respond_with_data("x" * 5000), "larger than the import limit"),
        (lambda s: s.respond_with_data("no links here\n"), "no links found"),
    ],
)
def test_a_failed_or_doubtful_fetch_keeps_what_was_known(
    followed, httpserver, settings, respond, detail
):
    settings.READLIST_IMPORT_MAX_BYTES = 1000
    followed.source_etag = '"known"'
    followed.save()
    respond(httpserver.expect_request("/list.md"))
    outcome = curriculum_source_check(curriculum=followed)
    assert outcome.outcome == "error" and detail in outcome.detail
    followed.refresh_from_db()
    assert followed.source_etag == '"known"'  # not overwritten by a failure
    assert not SourceUpdate.objects.exists()
    assert Entry.objects.filter(curriculum=followed).count() == 1


def test_the_ssrf_guard_applies_to_source_urls(db, httpserver):
    # Without READLIST_FETCH_ALLOW the local server is a private address: refused.
    curriculum_import(actor=None, text=V1, slug="guarded")
    curriculum = Curriculum.objects.get(slug="guarded")
    curriculum.source_url = httpserver.url_for("/list.md")
    curriculum.save()
    outcome = curriculum_source_check(curriculum=curriculum)
    assert outcome.outcome == "error" and "refused" in outcome.detail
    assert len(httpserver.log) == 0


def test_the_scheduled_task_checks_every_followed_curriculum(followed, httpserver):
    curriculum_import(actor=None, text=V1, slug="not-following")
    httpserver.expect_request("/list.md").respond_with_data(V1)
    assert check_curriculum_sources.apply().get() == {"follows": "unchanged"}
    assert [o.curriculum for o in check_all_sources()] == ["follows"]


def test_an_admin_previews_and_applies_a_prepared_update(
    followed, httpserver, client, admin_user, settings
):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "s"}
    }
    httpserver.expect_request("/list.md").respond_with_data(V2)
    update_id = curriculum_source_check(curriculum=followed).update_id
    client.force_login(admin_user)
    change = client.get(f"/admin/curricula/curriculum/{followed.pk}/change/").content.decode()
    url = f"/admin/curricula/curriculum/{followed.pk}/source-update/{update_id}/"
    assert url in change
    page = client.get(url).content.decode()
    assert "Paper B" in page and Entry.objects.filter(curriculum=followed).count() == 1
    token = re.search(r'name="token" value="([0-9a-f]{64})"', page).group(1)
    response = client.post(
        "/admin/curricula/curriculum/import/", {"token": token, "action": "confirm"}
    )
    assert response.status_code == 302
    assert Entry.objects.filter(curriculum=followed).count() == 2
    applied = SourceUpdate.objects.get(pk=update_id)
    assert applied.applied_in is not None
    assert client.get(url).status_code == 404  # applied: no second preview
    assert (
        client.get(f"/admin/curricula/curriculum/{followed.pk}/source-update/999/").status_code
        == 404
    )


def test_only_admins_reach_a_source_update(followed, httpserver, client, member):
    httpserver.expect_request("/list.md").respond_with_data(V2)
    update_id = curriculum_source_check(curriculum=followed).update_id
    url = f"/admin/curricula/curriculum/{followed.pk}/source-update/{update_id}/"
    assert client.get(url).status_code == 302  # anonymous: to the admin login
    client.force_login(member)
    assert client.get(url).status_code == 302  # not staff
    assert client.post(url).status_code in (302, 405)


V3 = V2 + "- [Paper C](https://example.org/c)\n"


def _ignore_url(curriculum, update_id):
    return f"/admin/curricula/curriculum/{curriculum.pk}/source-update/{update_id}/ignore/"


def test_an_ignored_update_is_kept_on_record_and_not_offered_again(
    followed, httpserver, client, admin_user
):
    httpserver.expect_request("/list.md").respond_with_data(V2)
    update_id = curriculum_source_check(curriculum=followed).update_id
    client.force_login(admin_user)
    preview = client.get(f"/admin/curricula/curriculum/{followed.pk}/source-update/{update_id}/")
    assert _ignore_url(followed, update_id) in preview.content.decode()
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC), tick=False):
        response = client.post(_ignore_url(followed, update_id))
    assert response.status_code == 302
    assert response["Location"] == f"/admin/curricula/curriculum/{followed.pk}/change/"
    ignored = SourceUpdate.objects.get(pk=update_id)  # retired, not deleted
    assert ignored.dismissed_by == admin_user
    assert ignored.dismissed_at == dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    assert Entry.objects.filter(curriculum=followed).count() == 1  # nothing applied
    change = client.get(f"/admin/curricula/curriculum/{followed.pk}/change/").content.decode()
    assert "source-update/" not in change.split('id="ignored-source-updates"')[0]
    assert "by root" in change
    # The same text fetched again is not offered again…
    outcome = curriculum_source_check(curriculum=followed)
    assert outcome.outcome == "ignored" and "ignored by root on 2026-12-01" in outcome.detail
    assert SourceUpdate.objects.filter(dismissed_at__isnull=True).count() == 0
    # …and its preview is gone.
    url = f"/admin/curricula/curriculum/{followed.pk}/source-update/{update_id}/"
    assert client.get(url).status_code == 404
    # A later, different change of the source is offered.
    httpserver.clear()
    httpserver.expect_request("/list.md").respond_with_data(V3)
    later = curriculum_source_check(curriculum=followed)
    assert later.outcome == "prepared" and later.update_id != update_id
    change = client.get(f"/admin/curricula/curriculum/{followed.pk}/change/").content.decode()
    assert f"/source-update/{later.update_id}/" in change


def test_ignoring_twice_or_an_applied_update_changes_nothing(
    followed, httpserver, client, admin_user
):
    httpserver.expect_request("/list.md").respond_with_data(V2)
    update_id = curriculum_source_check(curriculum=followed).update_id
    client.force_login(admin_user)
    client.post(_ignore_url(followed, update_id))
    first = SourceUpdate.objects.get(pk=update_id).dismissed_at
    response = client.post(_ignore_url(followed, update_id), follow=True)
    assert "already applied or ignored" in response.content.decode()
    assert SourceUpdate.objects.get(pk=update_id).dismissed_at == first
    assert client.post(_ignore_url(followed, 999)).status_code == 404
    other = Curriculum.objects.create(slug="other", title="Other")
    assert client.post(_ignore_url(other, update_id)).status_code == 404  # not its update


def test_only_admins_who_may_change_curricula_ignore_an_update(
    followed, httpserver, client, member, admin_user
):
    httpserver.expect_request("/list.md").respond_with_data(V2)
    update_id = curriculum_source_check(curriculum=followed).update_id
    url = _ignore_url(followed, update_id)
    assert client.post(url).status_code == 302  # anonymous: to the admin login
    client.force_login(member)
    assert client.post(url).status_code == 302  # not staff: to the admin login
    viewer = factories.make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_curriculum"))
    client.force_login(viewer)
    assert client.post(url).status_code == 403  # staff who may only look
    client.force_login(admin_user)
    assert client.get(url).status_code == 405  # wrong method
    assert SourceUpdate.objects.get(pk=update_id).dismissed_at is None
    with pytest.raises(PermissionDenied):
        source_update_dismiss(actor=member, curriculum_id=followed.pk, update_id=update_id)
