"""Dead links and the Wayback Machine: snapshots found, none, and the API's bad days."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from werkzeug.wrappers import Response

from curricula.archive import resources_find_archives
from curricula.models import Resource
from tests import factories

DEAD = "https://blog.example.org/gone"


def _answer(snapshot_url: str | None, stamp: str = "20230914101112") -> str:
    closest = (
        {"status": "200", "available": True, "url": snapshot_url, "timestamp": stamp}
        if snapshot_url
        else None
    )
    return json.dumps({"url": DEAD, "archived_snapshots": {"closest": closest} if closest else {}})


@pytest.fixture
def wayback(fetch_local, httpserver, settings):
    settings.READLIST_WAYBACK_API_URL = httpserver.url_for("/wayback/available")
    settings.READLIST_WAYBACK_TIMEOUT = 1.0
    return httpserver


def _broken(**fields) -> Resource:
    return factories.make_resource(DEAD, health="broken", **fields)


@pytest.mark.django_db
def test_a_broken_link_gets_its_last_good_snapshot(wayback):
    snap = "http://web.archive.org/web/20230914101112/https://blog.example.org/gone"
    wayback.expect_request("/wayback/available", query_string={"url": DEAD}).respond_with_data(
        _answer(snap), content_type="application/json"
    )
    resource = _broken()
    assert resources_find_archives() == {"found": 1, "none": 0, "unavailable": 0}
    resource.refresh_from_db()
    assert resource.archived_url == snap.replace("http://", "https://")
    assert resource.archived_at == datetime(2023, 9, 14, 10, 11, 12, tzinfo=UTC)
    assert resource.archive_checked_at is not None


@pytest.mark.django_db
def test_links_that_are_not_confirmed_broken_are_not_looked_up(wayback):
    factories.make_resource(DEAD, health="error")
    assert resources_find_archives() == {"found": 0, "none": 0, "unavailable": 0}
    assert wayback.log == []


@pytest.mark.django_db
@pytest.mark.parametrize("failure", ["503", "timeout", "not json", "html"])
def test_the_archive_being_down_changes_nothing(wayback, failure):
    known = "https://web.archive.org/web/2020/https://blog.example.org/gone"
    resource = _broken(archived_url=known)
    if failure == "503":
        wayback.expect_request("/wayback/available").respond_with_data("busy", status=503)
    elif failure == "timeout":

        def slow(request):
            time.sleep(1.5)
            return Response(_answer(None), content_type="application/json")

        wayback.expect_request("/wayback/available").respond_with_handler(slow)
    elif failure == "not json":
        wayback.expect_request("/wayback/available").respond_with_data("{oops")
    else:
        wayback.expect_request("/wayback/available").respond_with_data("<html>maintenance</html>")
    assert resources_find_archives()["unavailable"] == 1
    resource.refresh_from_db()
    assert resource.archived_url == known
    assert resource.archive_checked_at is None  # asked again next run


@pytest.mark.django_db
def test_no_snapshot_now_keeps_the_one_found_before(wayback):
    known = "https://web.archive.org/web/2020/https://blog.example.org/gone"
    resource = _broken(archived_url=known)
    wayback.expect_request("/wayback/available").respond_with_data(
        _answer(None), content_type="application/json"
    )
    assert resources_find_archives()["none"] == 1
    resource.refresh_from_db()
    assert resource.archived_url == known
    assert resource.archive_checked_at is not None


@pytest.mark.django_db
def test_members_see_the_archived_copy_and_the_curator_can_use_it(client, member, admin_user):
    snap = "https://web.archive.org/web/20230914101112/https://blog.example.org/gone"
    resource = _broken(archived_url=snap, archived_at=datetime(2023, 9, 14, tzinfo=UTC))
    curriculum = factories.make_curriculum()
    entry = factories.make_entry(curriculum, "A post that is gone", resource=resource)
    factories.make_enrollment(member, curriculum)
    client.force_login(member)
    html = client.get(f"/curricula/{curriculum.slug}/entries/{entry.pk}/").content.decode()
    assert "link broken" in html
    assert f'href="{snap}"' in html and "archived copy" in html

    url = reverse("admin:curricula_resource_linkhealth_archive", args=[resource.pk])
    assert client.post(url).status_code == 302  # a member is sent to the admin sign-in
    resource.refresh_from_db()
    assert resource.url == DEAD
    client.force_login(admin_user)
    page = client.get(reverse("admin:curricula_resource_linkhealth")).content.decode()
    assert "Use the archived copy" in page
    assert client.get(url).status_code == 405
    client.post(url)
    resource.refresh_from_db()
    assert resource.url == snap
    missing = reverse("admin:curricula_resource_linkhealth_archive", args=[999999])
    assert client.post(missing).status_code == 404
