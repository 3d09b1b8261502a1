"""The dashboard's last activity, notes written and weekly chart equal a plain count of the
progress rows and notes.

They are read from notes' tallies (notes.progress.read_lines, teams.selectors.weekly_done);
whatever keeps those tallies must keep these tests passing on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.utils import timezone

from curricula.models import Entry, Revision
from notes.models import Note, Progress
from notes.progress import NO_LINE, read_lines
from teams.selectors import weekly_done
from tests import factories

pytestmark = pytest.mark.django_db


def build(rng: random.Random):
    """Two curricula sharing a paper (also listed twice in one), link-less and retired entries,
    and a curriculum nobody is asked about whose progress must not leak in."""
    first = factories.make_curriculum(completion_rule="all")
    second = factories.make_curriculum(completion_rule="core_practitioner_summary")
    other = factories.make_curriculum()
    shared = factories.make_resource()
    for c in (first, second):
        for i in range(12):
            link = None if i % 5 == 0 else factories.make_resource()
            factories.make_entry(c, role=rng.choice(["core", "practitioner", ""]), resource=link)
        factories.make_entry(c, resource=shared, role="core")
    factories.make_entry(first, resource=shared, role="optional")
    revision = Revision.objects.create(curriculum=first, number=2, sha256="x", source_text="")
    factories.make_entry(first, retired_in=revision)
    factories.make_entry(other)
    return [first, second]


def naive(people, curricula):
    """(user, curriculum) → latest change, and Monday → entries done, straight from the rows: a
    paper listed twice counts twice, as it does in the dashboard's done columns."""
    active = list(Entry.objects.active().filter(curriculum__in=curricula))
    rows = list(Progress.objects.filter(user__in=people))
    last: dict = {}
    weeks: Counter = Counter()
    for p in rows:
        for e in active:
            if (e.resource_id and p.resource_id == e.resource_id) or (
                not e.resource_id and p.entry_id == e.pk
            ):
                key = (p.user_id, e.curriculum_id)
                if key not in last or last[key] < p.updated_at:
                    last[key] = p.updated_at
                if p.status == "done" and p.finished_at is not None:
                    day = timezone.localtime(p.finished_at).date()
                    weeks[day - dt.timedelta(days=day.weekday())] += 1
    return last, weeks


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_last_change_and_weekly_counts_match_the_rows(seed):
    rng = random.Random(seed)
    curricula = build(rng)
    people = [factories.make_user() for _ in range(3)]
    now = timezone.now()
    every = list(Entry.objects.all())
    for person in people:
        for e in rng.sample(every, rng.randint(0, len(every))):
            target = {"resource_id": e.resource_id} if e.resource_id else {"entry_id": e.pk}
            status = rng.choice(["done", "done", "reading", "skipped"])
            when = now - dt.timedelta(days=rng.randint(0, 50), minutes=rng.randint(0, 900))
            Progress.objects.get_or_create(
                user=person,
                **target,
                defaults={
                    "status": status,
                    "updated_at": when,
                    "finished_at": when if status == "done" and rng.random() < 0.9 else None,
                },
            )

    lines = read_lines([p.pk for p in people], [c.pk for c in curricula])
    want_last, want_weeks = naive(people, curricula)
    assert {key: line.changed_at for key, line in lines.items()} == want_last

    since = timezone.localdate() - dt.timedelta(days=30)
    series = weekly_done([p.pk for p in people], [c.pk for c in curricula], since)
    start = since - dt.timedelta(days=since.weekday())
    expected, total = [], sum(n for week, n in want_weeks.items() if week < start)
    week = start
    while week <= timezone.localdate():
        total += want_weeks.get(week, 0)
        expected.append((week, total))
        week += dt.timedelta(days=7)
    assert series == expected
    assert series[-1][1] == sum(want_weeks.values())


def write_notes(rng: random.Random, people, curricula) -> dict:
    """Notes at random times, some emptied (an empty note is no note); returns
    (user, curriculum) → (notes with a body, latest saved), counted here."""
    now = timezone.now()
    want: dict = {}
    for person in people:
        for entry in rng.sample(list(Entry.objects.filter(curriculum__in=curricula)), 6):
            when = now - dt.timedelta(days=rng.randint(0, 50), minutes=rng.randint(0, 900))
            body = rng.choice(["", "a thought", "another"])
            kind = Note.Kind.RESOURCE if entry.resource_id else Note.Kind.ENTRY
            Note.objects.get_or_create(
                user=person,
                kind=kind,
                resource_id=entry.resource_id,
                entry=None if entry.resource_id else entry,
                defaults={
                    "curriculum": entry.curriculum,
                    "body": body,
                    "updated_at": when,
                    "visibility": rng.choice(["private", "team"]),
                },
            )
    # Managers count shared notes only: a private one is nobody else's business.
    for note in Note.objects.exclude(body="").filter(visibility="team"):
        n, last = want.get((note.user_id, note.curriculum_id), (0, None))
        want[(note.user_id, note.curriculum_id)] = (
            n + 1,
            note.updated_at if last is None else max(last, note.updated_at),
        )
    return want


@pytest.mark.parametrize("seed", [4, 5])
def test_notes_written_and_last_activity_match_the_rows(seed):
    rng = random.Random(seed)
    curricula = build(rng)
    people = [factories.make_user() for _ in range(3)]
    for person in people:
        for e in rng.sample(list(Entry.objects.all()), 5):
            target = {"resource_id": e.resource_id} if e.resource_id else {"entry_id": e.pk}
            when = timezone.now() - dt.timedelta(days=rng.randint(0, 50))
            Progress.objects.get_or_create(
                user=person, **target, defaults={"status": "reading", "updated_at": when}
            )
    notes = write_notes(rng, people, curricula)
    changed, _ = naive(people, curricula)
    lines = read_lines([p.pk for p in people], [c.pk for c in curricula])
    assert any(n for n, _ in notes.values())
    for person in people:
        for c in curricula:
            key = (person.pk, c.pk)
            line = lines.get(key, NO_LINE)
            n, noted = notes.get(key, (0, None))
            assert (line.notes, line.noted_at) == (n, noted)
            moments = [m for m in (changed.get(key), noted) if m is not None]
            assert line.last_activity == (max(moments) if moments else None)
