"""The entry page's reads (notes.selectors.entry_page, notes_on_entry): plain SQL, held equal to
the access rules they write out."""

from __future__ import annotations

import datetime as dt
import random
from unittest import mock

import pytest
from django.db.models import Case, Q, Value, When
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from curricula.models import Entry, Revision
from notes import access, selectors
from notes.models import Note
from notes.services import progress_set
from tests import factories

pytestmark = pytest.mark.django_db


def _orm_notes_on_entry(user, entry, limit):
    """notes_on_entry as the ORM wrote it, from notes.access's rules: my note whatever its
    text, then the notes with text that shared_notes_q lets me read, newest first."""
    target = (
        Q(kind=Note.Kind.RESOURCE, resource_id=entry.resource_id)
        if entry.resource_id
        else Q(kind=Note.Kind.ENTRY, entry_id=entry.pk)
    )
    notes = list(
        Note.objects.filter(target)
        .filter(Q(user=user) | (access.shared_notes_q(user) & ~Q(body="")))
        .order_by(Case(When(user=user, then=Value(0)), default=Value(1)), "-updated_at", "-pk")[
            : limit + 1
        ]
    )
    if notes and notes[0].user_id == user.pk:
        return notes[0], notes[1 : limit + 1]
    return None, notes[:limit]


@pytest.fixture
def world(db):
    """Five people: alice shares two teams with carol and one with bob; dave and erin are a
    team of their own; frank is in no team. A list with linked entries (two of them on one
    paper), link-less ones, and an entry relinked to a paper after notes were written on it."""
    alice, bob, carol, dave, erin, frank = (
        factories.make_user(n) for n in ("alice", "bob", "carol", "dave", "erin", "frank")
    )
    factories.make_team(alice, bob, carol)
    factories.make_team(alice, managers=[carol])
    factories.make_team(dave, erin)
    course = factories.make_curriculum(slug="course", title="Course")
    other = factories.make_curriculum(slug="other", title="Other")
    entries = [
        factories.make_entry(course, f"E{i}", **({} if i % 3 else {"resource": None}))
        for i in range(9)
    ]
    entries.append(factories.make_entry(other, "Same paper", resource=entries[1].resource))
    people = [alice, bob, carol, dave, erin, frank]
    return people, entries


def _scatter(people, entries, rng):
    """Private, team and empty notes of everyone on random entries, with clashing times."""
    now = timezone.now()
    seen = set()
    notes = []
    for _ in range(120):
        person, entry = rng.choice(people), rng.choice(entries)
        kind = "resource" if entry.resource_id and rng.random() < 0.85 else "entry"
        key = (person.pk, kind, entry.resource_id if kind == "resource" else entry.pk)
        if key in seen:
            continue
        seen.add(key)
        notes.append(
            Note(
                user=person,
                kind=kind,
                resource_id=entry.resource_id if kind == "resource" else None,
                entry=entry,
                curriculum_id=entry.curriculum_id,
                body=rng.choice(["", "A thought", "**Bold** idea"]),
                visibility=rng.choice(["private", "team"]),
                version=1,
                updated_at=now - dt.timedelta(minutes=rng.randint(0, 5)),
            )
        )
    # Summaries of a tier and a topic are about no entry: never on an entry's page.
    tier = factories.make_tier(entries[0].curriculum, 7)
    notes.append(
        Note(
            user=people[1], kind="tier", tier=tier, curriculum_id=tier.curriculum_id,
            body="Tier summary", visibility="team", version=1, updated_at=now,
        )
    )  # fmt: skip
    Note.objects.bulk_create(notes)


@pytest.mark.parametrize("seed", range(3))
def test_notes_on_entry_agrees_with_the_access_rules(world, seed):
    """Every person on every entry, with a limit that cuts the list and one that does not:
    the same note of mine, and the same shared notes in the same order, as the ORM query built
    from notes.access.shared_notes_q."""
    people, entries = world
    rng = random.Random(seed)
    _scatter(people, entries, rng)
    compared = shared_seen = 0
    for person in people:
        for entry in entries:
            for limit in (2, 50):
                mine, shared = selectors.notes_on_entry(person, entry, limit=limit)
                want_mine, want_shared = _orm_notes_on_entry(person, entry, limit)
                assert (mine and mine.pk) == (want_mine and want_mine.pk), (person, entry)
                assert [n.pk for n in shared] == [n.pk for n in want_shared], (person, entry)
                for n in shared:
                    assert access.can_see_note(person, n) and n.user_id != person.pk and n.body
                    assert n.user.pk == n.user_id and n.user.username
                compared += 1
                shared_seen += len(shared)
    assert compared == len(people) * len(entries) * 2 and shared_seen  # the draw shared some


def test_notes_on_entry_keeps_my_empty_note_and_hides_what_i_may_not_read(world):
    people, entries = world
    alice, bob, carol, dave, _erin, frank = people
    paper = entries[1]
    factories.make_note(alice, paper, "")
    factories.make_note(bob, paper, "bob shares", visibility="team")
    factories.make_note(carol, entries[-1], "carol shares from the other list", visibility="team")
    factories.make_note(carol, entries[2], "carol on another paper", visibility="team")
    factories.make_note(dave, paper, "dave, another team", visibility="team")
    factories.make_note(frank, paper, "frank, no team", visibility="team")
    factories.make_note(bob, entries[0], "bob on a link-less entry", visibility="team")
    mine, shared = selectors.notes_on_entry(alice, paper)
    assert mine is not None and mine.body == "" and mine.user_id == alice.pk
    # carol is in two of alice's teams: her note is listed once.
    assert sorted(n.body for n in shared) == ["bob shares", "carol shares from the other list"]
    mine, shared = selectors.notes_on_entry(alice, entries[0])
    assert mine is None and [n.body for n in shared] == ["bob on a link-less entry"]
    mine, shared = selectors.notes_on_entry(frank, paper)
    assert mine.body == "frank, no team" and shared == []


def test_notes_on_entry_is_not_compiled_by_the_orm(world):
    """Compiling it with the ORM cost ~7 ms of an ~19 ms page on every request."""
    people, entries = world
    factories.make_note(people[1], entries[1], "bob shares", visibility="team")
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as as_sql:
        mine, shared = selectors.notes_on_entry(people[0], entries[1])
    assert mine is None and [n.body for n in shared] == ["bob shares"]
    assert as_sql.call_count == 0


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_entry_page_reads_what_the_orm_reads(owner):
    """The entry, its curriculum, paper, tier and topic built from plain SQL (on PostgreSQL the
    paper, tier and topic from to_jsonb rows) hold every field's value and type as the ORM's
    select_related reads them: dates, times, JSON, numbers, nulls."""
    course = factories.make_curriculum(slug="course", title="Course", note_template="Q?")
    tier = factories.make_tier(course, 2, title="Basics", optional=True)
    topic = factories.make_topic(course, "Tokenisers", tier=tier, position=3)
    now = timezone.now()
    paper = factories.make_resource(
        "https://arxiv.org/abs/1706.03762",
        title="Attention Is All You Need",
        authors=[{"name": "Ashish Vaswani"}, "Noam Shazeer"],
        abstract="The dominant sequence transduction models…",
        published=now - dt.timedelta(days=3000, microseconds=7),
        updated=now,
        arxiv_version=7,
        categories=["cs.CL", "cs.LG"],
        health="moved",
        moved_to="https://example.org/new",
        verification_score=0.8125,
    )
    entry = factories.make_entry(
        course, "Transformers", resource=paper, tier=tier, topic=topic, role="core",
        tags=["attention"], extra_links=[{"label": "code", "url": "https://example.org/c"}],
        added_on=now.date(),
    )  # fmt: skip
    linkless = factories.make_entry(course, "A talk", resource=None)
    progress_set(actor=owner, entry=entry, status="reading")
    for item, status in ((entry, "reading"), (linkless, "to_read")):
        found = selectors.entry_page(owner, "course", item.pk)
        want = Entry.objects.select_related("curriculum", "resource", "tier", "topic").get(
            pk=item.pk
        )
        assert found.status == status and found.elsewhere == []
        assert _fields(found.entry) == _fields(want)
        for relation in ("curriculum", "resource", "tier", "topic"):
            got, expected = getattr(found.entry, relation), getattr(want, relation)
            assert (got is None) == (expected is None), relation
            if got is not None:
                assert _fields(got) == _fields(expected), relation
                for name, value in _fields(got).items():
                    assert type(value) is type(_fields(expected)[name]), (relation, name)
    assert selectors.entry_page(owner, "other", entry.pk) is None


def test_entry_page_also_in_lists_other_active_entries_of_the_paper(owner):
    a = factories.make_curriculum(slug="a", title="B list")
    b = factories.make_curriculum(slug="b", title="A list")
    entry = factories.make_entry(a, "Here")
    there = factories.make_entry(b, "There", resource=entry.resource)
    revision = Revision.objects.create(curriculum=b, number=2, sha256="x", source_text="")
    factories.make_entry(b, "Retired", resource=entry.resource, retired_in=revision)
    factories.make_entry(b, "Another paper")
    found = selectors.entry_page(owner, "a", entry.pk)
    assert [(e.pk, e.curriculum.title) for e in found.elsewhere] == [(there.pk, "A list")]
    assert found.elsewhere[0].resource.pk == entry.resource_id
