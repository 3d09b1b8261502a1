"""Admin: invitations are sent from it; the log is read-only; private note text never shows."""

from __future__ import annotations

import pytest

from notes import services
from notes.models import Activity, Note

pytestmark = pytest.mark.django_db


def test_activity_log_is_read_only_even_for_admins(client, admin_user, owner, entries):
    services.progress_set(actor=owner, entry=entries[0], status="done")
    activity = Activity.objects.get()
    client.force_login(admin_user)
    assert client.get("/admin/notes/activity/").status_code == 200
    assert client.get("/admin/notes/activity/add/").status_code == 403
    assert (
        client.post(f"/admin/notes/activity/{activity.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    client.post(f"/admin/notes/activity/{activity.pk}/change/", {"verb": "followed"})
    activity.refresh_from_db()
    assert activity.verb == "status"


def test_admin_never_shows_the_text_of_a_note(client, admin_user, owner, entries):
    from tests import factories

    note = factories.make_note(owner, entries[0], "my secret reading diary")
    client.force_login(admin_user)
    for url in ("/admin/notes/note/", f"/admin/notes/note/{note.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "secret reading diary" not in response.content.decode()
    assert Note.objects.get().body == "my secret reading diary"


def test_enrollments_and_invitations_are_listed(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/notes/enrollment/").status_code == 200
    assert client.get("/admin/notes/invitation/").status_code == 200
    assert client.get("/admin/notes/progress/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "body__startswith=my",
        "body__istartswith=MY",
        "body__contains=secret",
        "body__regex=^m",
        "body=my secret reading diary",
        "body__gt=m",
        "user__exact={owner}&body__startswith=my",
        "versions__body__startswith=my",
        "pk__in={note}&body__startswith=my",
    ],
)
def test_admin_refuses_lookups_on_a_note_text(client, admin_user, owner, entries, query):
    """A superuser cannot recover a private note letter by letter from the list's count."""
    from tests import factories

    note = factories.make_note(owner, entries[0], "my secret reading diary")
    client.force_login(admin_user)
    url = "/admin/notes/note/?" + query.format(owner=owner.pk, note=note.pk)
    response = client.get(url)
    assert response.status_code == 400
    assert "1 note" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/notes/activity/?note__body__startswith=my",
        "/admin/auth/user/?notes__body__startswith=my",
        "/admin/auth/user/?notes__versions__body__startswith=my",
        "/admin/curricula/resource/?notes__body__startswith=my",
        "/admin/curricula/entry/?notes__body__startswith=my",
    ],
)
def test_no_other_admin_list_filters_on_a_note_text(client, admin_user, owner, entries, url):
    from tests import factories

    factories.make_note(owner, entries[0], "my secret reading diary")
    client.force_login(admin_user)
    assert client.get(url).status_code == 400


def test_the_note_list_still_filters_by_who_what_and_visibility(client, admin_user, owner, entries):
    from tests import factories

    factories.make_note(owner, entries[0], "shared", visibility="team")
    client.force_login(admin_user)
    for query in (f"user__id__exact={owner.pk}", "visibility__exact=team", "kind__exact=resource"):
        response = client.get("/admin/notes/note/?" + query)
        assert response.status_code == 200 and "1 note" in response.content.decode()
