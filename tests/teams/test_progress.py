"""The set-based progress of many people equals notes' per-person progress, rule by rule."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from curricula.models import Tier, Topic
from notes import selectors as notes_selectors
from notes.models import Note, Progress
from notes.progress import NO_LINE, person_progress, progress_many, read_lines, shapes
from tests import factories

pytestmark = pytest.mark.django_db

RULES = ["all", "all_core", "core_practitioner_summary"]


def build(rule: str, rng: random.Random):
    """Tiers (one optional), topics, roles of every kind, link-less items, a shared resource."""
    c = factories.make_curriculum(completion_rule=rule)
    tiers = [factories.make_tier(c, n, optional=(n == 4)) for n in range(1, 5)]
    topics = [factories.make_topic(c, f"T{i}", tier=tiers[i % 4], position=i) for i in range(6)]
    shared = factories.make_resource()
    for i in range(40):
        topic = rng.choice([*topics, None])
        factories.make_entry(
            c,
            tier=rng.choice([*tiers, None]) if topic is None else topic.tier,
            topic=topic,
            role=rng.choice(["core", "practitioner", "optional", ""]),
            resource=None if i % 7 == 0 else (shared if i % 11 == 0 else factories.make_resource()),
        )
    return c


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_result_as_the_per_person_rules(rule, seed):
    rng = random.Random(seed)
    c = build(rule, rng)
    people = [factories.make_user() for _ in range(4)]
    entries = list(c.entries.all())
    now = timezone.now()
    for person in people:
        for e in rng.sample(entries, rng.randint(0, len(entries))):
            target = {"resource_id": e.resource_id} if e.resource_id else {"entry_id": e.pk}
            Progress.objects.get_or_create(
                user=person,
                **target,
                defaults={
                    "status": rng.choice(["done", "done", "reading", "skipped"]),
                    "updated_at": now,
                },
            )
        for tier in rng.sample(list(Tier.objects.filter(curriculum=c)), 2):
            Note.objects.create(
                user=person,
                kind="tier",
                tier=tier,
                curriculum=c,
                body=rng.choice(["", "summary"]),
                updated_at=now,
            )
        for topic in rng.sample(list(Topic.objects.filter(curriculum=c)), 2):
            Note.objects.create(
                user=person, kind="topic", topic=topic, curriculum=c, body="summary", updated_at=now
            )

    cells = progress_many([p.pk for p in people], [c])
    tiers = list(Tier.objects.filter(curriculum=c))
    active = list(notes_selectors.entries_for([c.pk]))
    for person in people:
        expected = notes_selectors.progress_for(
            c,
            active,
            tiers,
            notes_selectors.status_maps(person, [c.pk]),
            notes_selectors.note_index(person, [c.pk]),
        )
        cell = cells[(person.pk, c.pk)]
        assert (cell.done, cell.total) == (expected.done, expected.total), person
        got = {t.tier.pk if t.tier else None: (t.done, t.total) for t in cell.tiers}
        want = {k: (t.done, t.total) for k, t in expected.tiers.items()}
        assert got == want
        assert cell.complete == expected.complete
        # One person's page (notes.progress.person_progress) gives the same, steps and all.
        line = read_lines([person.pk], [c.pk]).get((person.pk, c.pk), NO_LINE)
        mine = person_progress(shapes([c])[c.pk], line)
        assert (mine.done, mine.total, mine.complete) == (
            expected.done,
            expected.total,
            expected.complete,
        )
        for tier_id, want_tier in expected.tiers.items():
            got_tier = mine.tiers[tier_id]
            assert (got_tier.done, got_tier.total, got_tier.optional) == (
                want_tier.done,
                want_tier.total,
                want_tier.optional,
            )
            if rule == "core_practitioner_summary":
                assert got_tier.steps == want_tier.steps
            else:
                assert got_tier.is_count == want_tier.is_count


def test_the_current_tier_is_the_first_required_tier_not_complete(alice, course, entries):
    from notes import services

    cell = progress_many([alice.pk], [course])[(alice.pk, course.pk)]
    assert cell.current_tier.number == 1
    for e in entries[:2]:
        services.progress_set(actor=alice, entry=e, status="done")
    cell = progress_many([alice.pk], [course])[(alice.pk, course.pk)]
    assert cell.current_tier.number == 2 and cell.percent == 50
    for e in entries[2:]:
        services.progress_set(actor=alice, entry=e, status="done")
    cell = progress_many([alice.pk], [course])[(alice.pk, course.pk)]
    assert cell.current_tier is None and cell.complete
