"""Query counts do not grow with the data: every page on curricula of 10 and 1,000 entries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notes.models import Note, NoteVersion, Progress
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[10, 1000], ids=["10-entries", "1000-entries"])
def world(request, owner, member):
    """A followed curriculum of N entries; half of them read, a tenth with notes, by two people."""
    size = request.param
    curriculum = factories.make_curriculum_with_entries(
        size, slug="big", completion_rule="core_practitioner_summary"
    )
    factories.make_curriculum_with_entries(size, slug="other")
    factories.make_enrollment(owner, curriculum)
    now = timezone.now()
    entries = list(curriculum.entries.all())
    for person in (owner, member):
        Progress.objects.bulk_create(
            Progress(user=person, resource_id=e.resource_id, status="done", updated_at=now)
            for e in entries[::2]
        )
        notes = Note.objects.bulk_create(
            Note(
                user=person,
                kind="resource",
                resource_id=e.resource_id,
                entry=e,
                curriculum=curriculum,
                body=f"note on {e.title} about attention",
                visibility="team",
                version=1,
                updated_at=now,
            )
            for e in entries[::10]
        )
        NoteVersion.objects.bulk_create(
            NoteVersion(note=n, number=1, body=n.body, visibility="team", created_at=now)
            for n in notes
        )
    return curriculum, entries


PAGES = [
    # Home: 11 with the notes worth a second look (notes.resurfacing, one query).
    ("/", 11),
    # Session, user, the curriculum, my enrollment with my tally line (one query), its shape
    # (tiers, counts; cached after the first request) and a page of rows: the entries, then
    # my statuses and notes on them in one query.
    ("/curricula/big/", 8),
    ("/curricula/big/?remaining=on&hide_optional=on&role=core", 8),
    ("/curricula/big/tiers/none/?from=40", 8),
    ("/notes/", 4),
    ("/notes/?curriculum=big", 4),
    ("/notes/export.md", 3),
    # Search: entries, my status on them, notes; a spelling fallback when nothing matches.
    ("/search/?q=attention", 6),
    ("/search/?q=Bulk+entry", 6),
]


@pytest.mark.parametrize(("url", "limit"), PAGES)
def test_page_queries_are_constant(client, owner, world, url, limit, django_assert_max_num_queries):
    client.force_login(owner)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200


def test_a_tier_opened_by_htmx_is_constant(client, owner, world, django_assert_max_num_queries):
    _, entries = world
    client.force_login(owner)
    tier = entries[-1].tier_id or "none"
    with django_assert_max_num_queries(9):
        response = client.get(f"/curricula/big/tiers/{tier}/?from=40", HTTP_HX_REQUEST="true")
    assert response.status_code == 200


@pytest.mark.parametrize("size", [300, 3000])
def test_the_curriculum_page_stays_under_60_kb_at_any_size(client, owner, size):
    """Long titles, reasons, tags and authors on every entry, all in one tier: the first
    response holds one page of rows, whatever the list's size."""
    curriculum = factories.make_curriculum_with_entries(
        size, tiers=1, slug="huge", completion_rule="all"
    )
    curriculum.entries.update(why="A long reason to read this entry, " * 6, tags=["attention"])
    client.force_login(owner)
    response = client.get("/curricula/huge/")
    assert response.status_code == 200
    assert response.content.count(b'class="entry ') > 0
    assert len(response.content) < 60_000


def test_entry_page_and_note_pages_are_constant(
    client, owner, world, django_assert_max_num_queries
):
    _, entries = world
    client.force_login(owner)
    note = Note.objects.filter(user=owner).first()
    # Session, user, the entry with my status and its "Also in" siblings, my note with what
    # the team shared (notes.selectors.entry_page, notes_on_entry).
    with django_assert_max_num_queries(4):
        assert client.get(f"/curricula/big/entries/{entries[0].pk}/").status_code == 200
    for url in (
        f"/notes/{note.pk}/",
        f"/notes/{note.pk}/history/",
        f"/notes/{note.pk}/versions/1/",
        f"/notes/tier/{entries[0].tier_id}/edit",
    ):
        with django_assert_max_num_queries(7):
            assert client.get(url).status_code == 200, url


def test_htmx_writes_are_constant(client, owner, world, django_assert_max_num_queries):
    _, entries = world
    client.force_login(owner)
    # 18 for the change and the recount of the person's tallies in the curricula that list the
    # entry (lock, delete, count progress, count notes, read the curricula's shapes for the
    # rule's figures, insert; delete and insert the weeks), and 6 for the answer (the row, its
    # tier's progress and the page's totals, from tallies); a first status adds a savepoint
    # and its release around the insert, so that a double click's second insert meets the
    # first without failing the request (notes.services).
    with django_assert_max_num_queries(26):
        response = client.post(
            "/entries/status",
            {"set": f"{entries[1].pk}:done", "context": "curriculum"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    # 12 for the note and its version, and 3 to recount the person's notes in the curriculum
    # (lock, count, update).
    with django_assert_max_num_queries(15):
        response = client.post(
            f"/notes/entry/{entries[1].pk}/edit",
            {"body": "new", "visibility": "private", "base_version": 0},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
