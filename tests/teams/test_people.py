"""Admin erases or anonymises a person who leaves, in one action that first says what goes."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from notes import services as notes_services
from notes import tallies
from notes.models import Activity, Enrollment, Note, NoteVersion, Progress
from teams.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/auth/user/"


@pytest.fixture
def leaver(team, alice, bob, entries, assignment):
    """Alice read two entries, wrote a shared note and a private one; Bob did the same."""
    for who in (alice, bob):
        for e in entries[:2]:
            notes_services.progress_set(actor=who, entry=e, status="done")
        factories.make_note(who, entries[0], f"{who.username} shared this", visibility="team")
        factories.make_note(who, entries[1], f"{who.username} kept this")
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    return alice


def _act(client, action, person, confirm=False):
    data = {"action": action, "_selected_action": [person.pk]}
    if confirm:
        data["confirm"] = action
    return client.post(CHANGELIST, data)


def test_plain_delete_is_refused_so_the_action_is_needed(client, admin_user, leaver):
    client.force_login(admin_user)
    html = client.get(f"{CHANGELIST}{leaver.pk}/delete/").content.decode()
    assert "doesn’t have permission to delete" in html or "permission to delete" in html


def test_erase_says_what_goes_then_removes_the_person_and_all_of_theirs(
    client, admin_user, leaver, bob
):
    client.force_login(admin_user)
    page = _act(client, "erase_people", leaver)
    html = page.content.decode()
    assert page.status_code == 200 and "Yes, erase them" in html
    for line in ("notes: 2", "note versions: 2", "progress: 2", "memberships: 1"):
        assert line in html
    assert get_user_model().objects.filter(pk=leaver.pk).exists()  # nothing done yet

    assert _act(client, "erase_people", leaver, confirm=True).status_code == 302
    assert not get_user_model().objects.filter(pk=leaver.pk).exists()
    for model in (Note, Progress, Activity, Enrollment, Membership):
        assert not model.objects.filter(user_id=leaver.pk).exists(), model
    assert not NoteVersion.objects.filter(note__user_id=leaver.pk).exists()
    assert Note.objects.filter(user=bob).count() == 2 and Progress.objects.filter(user=bob).count()
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}


def test_anonymise_keeps_what_was_read_but_not_who_or_their_words(client, admin_user, leaver, bob):
    client.force_login(admin_user)
    html = _act(client, "anonymise_people", leaver).content.decode()
    assert "notes: 2" in html and "progress:" not in html and "Yes, anonymise them" in html
    progress_before = Progress.objects.filter(user=leaver).count()

    _act(client, "anonymise_people", leaver, confirm=True)
    leaver.refresh_from_db()
    assert leaver.username == f"former-{leaver.pk}" and leaver.email == ""
    assert (leaver.first_name, leaver.last_name, leaver.is_active) == ("", "", False)
    assert not leaver.has_usable_password()
    assert not Note.objects.filter(user=leaver).exists()
    assert not EmailAddress.objects.filter(user=leaver).exists()
    assert not Membership.objects.filter(user=leaver).exists()
    assert Progress.objects.filter(user=leaver).count() == progress_before == 2
    assert "alice" not in str(list(Activity.objects.filter(user=leaver).values()))
    assert Note.objects.filter(user=bob).count() == 2
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}
    assert not client.login(username="alice", password="correct horse battery staple")


def test_nobody_erases_themselves(client, admin_user):
    client.force_login(admin_user)
    response = _act(client, "erase_people", admin_user, confirm=True)
    assert response.status_code == 302
    assert get_user_model().objects.filter(pk=admin_user.pk).exists()


def test_only_admins_reach_the_action(client, manager, leaver):
    client.force_login(manager)
    _act(client, "erase_people", leaver, confirm=True)
    assert get_user_model().objects.filter(pk=leaver.pk).exists()


def test_anonymise_also_removes_their_still_true_marks(client, admin_user, leaver, bob):
    """A "Still true" on a teammate's note is the leaver's, not what they read: it goes (it was
    kept, as a relation hidden from the anonymiser's walk over the person's rows)."""
    from notes.models import Reaffirmation
    from notes.resurfacing import note_reaffirm

    bobs = Note.objects.get(user=bob, visibility="team")
    note_reaffirm(actor=leaver, note=bobs, interval="week")
    note_reaffirm(actor=bob, note=bobs, interval="week")
    client.force_login(admin_user)
    assert "reaffirmations: 1" in _act(client, "anonymise_people", leaver).content.decode()
    _act(client, "anonymise_people", leaver, confirm=True)
    assert list(Reaffirmation.objects.values_list("user_id", flat=True)) == [bob.pk]
