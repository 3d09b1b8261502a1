"""Deleting a curriculum (or what a note is about) never deletes people's notes."""

from __future__ import annotations

import pytest

from notes import tallies
from notes.models import Note, NoteVersion
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists():
    """Curricula a and b both list `paper`; a alone lists `only_a` and a link-less talk."""
    a, b = factories.make_curriculum(), factories.make_curriculum()
    paper = factories.make_resource()
    return {
        "a": a,
        "b": b,
        "paper_a": factories.make_entry(a, resource=paper),
        "paper_b": factories.make_entry(b, resource=paper),
        "only_a": factories.make_entry(a),
        "talk": factories.make_entry(a, resource=None),
        "tier": factories.make_tier(a),
    }


def test_a_note_on_a_paper_another_curriculum_lists_moves_there(client, owner, lists):
    note = factories.make_note(
        owner, lists["paper_a"], "what I took from it, v2", visibility="team"
    )
    lists["a"].delete()
    note.refresh_from_db()
    assert (note.curriculum, note.entry, note.body) == (
        lists["b"],
        lists["paper_b"],
        "what I took from it, v2",
    )
    assert NoteVersion.objects.filter(note=note).count() >= 1
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}
    client.force_login(owner)
    html = client.get("/notes/").content.decode()
    assert "what I took from it, v2" in html and lists["b"].title in html


def test_notes_nothing_else_lists_are_kept_without_a_curriculum(client, owner, lists):
    from notes.services import NoteTarget, note_save

    factories.make_note(owner, lists["only_a"], "a paper only a listed")
    factories.make_note(owner, lists["talk"], "a talk I watched")
    note_save(
        actor=owner,
        target=NoteTarget.for_tier(lists["tier"]),
        body="my tier summary",
        visibility="private",
        base_version=0,
    )
    lists["a"].delete()
    kept = {n.body: n for n in Note.objects.filter(user=owner)}
    assert set(kept) == {"a paper only a listed", "a talk I watched", "my tier summary"}
    assert all(n.curriculum_id is None for n in kept.values())
    assert kept["my tier summary"].title == "Summary of a deleted tier"
    assert kept["a talk I watched"].title == "Note on a deleted entry"
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}
    client.force_login(owner)
    html = client.get("/notes/").content.decode()
    for body in kept:
        assert body in html
    export = client.get("/notes/export.md").content.decode()
    assert "a paper only a listed" in export and "my tier summary" in export
    for n in kept.values():
        assert client.get(f"/notes/{n.pk}/").status_code == 200
