"""Team notes are read by people who share a team with the writer; private notes by nobody else."""

from __future__ import annotations

import pytest

from notes.access import can_see_note, readable_notes_q
from notes.models import Note
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(alice, entries):
    shared = factories.make_note(alice, entries[0], "for the team", visibility="team")
    private = factories.make_note(alice, entries[1], "for me")
    return shared, private


def test_a_team_note_is_visible_to_a_teammate_and_the_manager(bob, manager, team, notes):
    shared, private = notes
    for reader in (bob, manager):
        assert can_see_note(reader, shared)
        assert not can_see_note(reader, private)
        assert list(Note.objects.filter(readable_notes_q(reader))) == [shared]


def test_a_team_note_is_not_visible_outside_the_team(client, outsider, notes):
    shared, private = notes
    assert not can_see_note(outsider, shared)
    client.force_login(outsider)
    assert client.get(f"/notes/{shared.pk}/").status_code == 404
    assert client.get(f"/notes/{private.pk}/").status_code == 404


def test_a_team_note_shows_once_to_someone_sharing_two_teams(bob, alice, team, notes):
    factories.make_team(alice, bob)
    assert Note.objects.filter(readable_notes_q(bob)).count() == 1


def test_a_teammate_reads_the_shared_note_page_not_the_private_one(client, bob, team, notes):
    shared, private = notes
    client.force_login(bob)
    assert "for the team" in client.get(f"/notes/{shared.pk}/").content.decode()
    assert client.get(f"/notes/{private.pk}/").status_code == 404


def test_even_a_superuser_does_not_read_private_notes_in_the_app(client, admin_user, notes):
    _shared, private = notes
    client.force_login(admin_user)
    assert client.get(f"/notes/{private.pk}/").status_code == 404
