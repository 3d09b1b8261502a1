"""notes.selectors.next_entries (one query, for home and the managers' member page) picks the
same entries in the same order as a pick from every entry in Python, on random curricula."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curricula.models import Curriculum, Entry, Revision
from notes import selectors
from notes.models import Progress
from tests import factories

pytestmark = pytest.mark.django_db


def build(rng: random.Random, order: str) -> Curriculum:
    """Tiers out of number order (one optional), topics in them, link-less, optional, tier-less
    and retired entries, and a paper listed twice, all at shuffled positions."""
    c = factories.make_curriculum(reading_order=order)
    tiers = [
        factories.make_tier(c, n, position=p, optional=n == 3)
        for n, p in zip(range(1, 5), rng.sample(range(10), 4), strict=True)
    ]
    topics = [factories.make_topic(c, f"T{i}", position=rng.randint(0, 5)) for i in range(4)]
    shared = factories.make_resource()
    revision = Revision.objects.create(curriculum=c, number=2, sha256="x", source_text="")
    positions = rng.sample(range(1000), 40)
    for i, position in enumerate(positions):
        factories.make_entry(
            c,
            tier=rng.choice([*tiers, None]),
            topic=rng.choice([*topics, None]),
            role=rng.choice(["core", "practitioner", "optional", ""]),
            resource=None if i % 6 == 0 else (shared if i % 13 == 0 else factories.make_resource()),
            position=position,
            retired_in=revision if i % 17 == 0 else None,
        )
    return c


def from_every_entry(user, c: Curriculum, count: int) -> list[int]:
    """The first `count` required entries not done or skipped, in reading order, picked from
    every entry of the list: what next_entries must give."""
    entries = selectors.entries_for([c.pk], light=True)
    tiers = {t.pk: t for t in c.tiers.all()}
    topics = {t.pk: t for t in c.topics.all()}
    maps = selectors.status_maps(user, [c.pk])
    optional = {pk for pk, t in tiers.items() if t.optional}
    return [
        e.pk
        for e in selectors.reading_order(c, entries, tiers, topics)
        if selectors.status_of(e, maps) not in selectors.CLOSED
        and e.role != Entry.Role.OPTIONAL
        and e.tier_id not in optional
    ][:count]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_next_entries_are_what_home_shows(seed):
    rng = random.Random(seed)
    curricula = [build(rng, Curriculum.ReadingOrder.BY_TIER), build(rng, "listed")]
    reader, other = factories.make_user(), factories.make_user()
    for c in curricula:
        factories.make_enrollment(reader, c)
    for person in (reader, other):  # the other's progress must not count for the reader
        for e in rng.sample(list(Entry.objects.all()), 35):
            target = {"resource_id": e.resource_id} if e.resource_id else {"entry_id": e.pk}
            status = rng.choice(["done", "skipped", "reading", "to_read"])
            Progress.objects.get_or_create(
                user=person, **target, defaults={"status": status, "updated_at": timezone.now()}
            )
    want = {c.pk: from_every_entry(reader, c, 6) for c in curricula}
    with CaptureQueriesContext(connection) as queries:
        got = selectors.next_entries(reader, [c.pk for c in curricula], count=6)
    assert len(queries) == 1
    assert {c: [e.pk for e in entries] for c, entries in got.items()} == {
        c: pks for c, pks in want.items() if pks
    }
    assert all(len(pks) == 6 for pks in want.values())  # the test reaches the limit


def test_nothing_left_means_no_list(db):
    c = factories.make_curriculum()
    entry = factories.make_entry(c, role="core")
    factories.make_entry(c, role="optional")
    reader = factories.make_user()
    Progress.objects.create(
        user=reader, resource=entry.resource, status="done", updated_at=timezone.now()
    )
    assert selectors.next_entries(reader, [c.pk]) == {}
