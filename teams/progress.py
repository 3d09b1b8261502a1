"""Progress of many people through many curricula by each curriculum's rule, in fixed queries.

notes.selectors computes one person at a time from every entry; a team of 200 would make that
300,000 facts in Python. Here the database counts what each person has done per tier and role,
and the counts are turned into the same result notes.rules gives (tests/teams/test_progress.py
holds the two side by side on random data):

- "core + practitioner + summary" asks "is there any done core/practitioner entry in the tier":
  a handful of representative facts per tier answers that exactly, so notes.rules.compute runs
  on them unchanged;
- "every entry" / "every core entry" are counts of required entries done, taken as counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from curricula.models import Curriculum, Entry, Tier
from notes import rules
from notes.models import Note, Status

CORE, PRACTITIONER, OPTIONAL = Entry.Role.CORE, Entry.Role.PRACTITIONER, Entry.Role.OPTIONAL


@dataclass
class TierCell:
    tier: Tier | None
    done: int
    total: int
    optional: bool

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Cell:
    """One person's progress through one curriculum."""

    done: int
    total: int
    tiers: list[TierCell] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def current_tier(self) -> Tier | None:
        """The first required tier not yet complete, in reading order."""
        for t in self.tiers:
            if t.tier is not None and not t.optional and t.total and not t.complete:
                return t.tier
        return None


@dataclass
class Shape:
    """What a curriculum's rule needs to know about its entries, whoever is reading."""

    curriculum: Curriculum
    tiers: list[Tier]
    optional_tiers: set[int]
    # (tier, role) → number of active entries; and the topics found in each tier.
    counts: dict[tuple[int | None, str], int]
    topics: dict[int | None, set[int]]

    def is_optional(self, tier_id: int | None, role: str) -> bool:
        return role == OPTIONAL or tier_id in self.optional_tiers

    @cached_property
    def tier_ids(self) -> set[int]:
        return {t.pk for t in self.tiers}

    @cached_property
    def topic_ids(self) -> set[int]:
        return {t for ts in self.topics.values() for t in ts}

    @cached_property
    def required_groups(self) -> list[tuple[tuple[int | None, str], int | None, int]]:
        """For the counting rules: ((tier, role), tier, entries) of each group that counts."""
        only_core = self.curriculum.completion_rule == Curriculum.CompletionRule.ALL_CORE and any(
            n and role == CORE and not self.is_optional(tier_id, role)
            for (tier_id, role), n in self.counts.items()
        )
        return [
            ((tier_id, role), tier_id, n)
            for (tier_id, role), n in self.counts.items()
            if not self.is_optional(tier_id, role) and not (only_core and role != CORE)
        ]

    @cached_property
    def empty_tiers(self) -> dict[int | None, tuple[int, int]]:
        empty: dict[int | None, tuple[int, int]] = {t.pk: (0, 0) for t in self.tiers}
        for tier_id, _ in self.counts:
            empty.setdefault(tier_id, (0, 0))
        return empty

    @cached_property
    def tier_by_id(self) -> dict[int, Tier]:
        return {t.pk: t for t in self.tiers}


def shapes(curricula: Iterable[Curriculum]) -> dict[int, Shape]:
    """Two queries for any number of curricula."""
    by_id = {c.pk: c for c in curricula}
    result = {
        pk: Shape(c, [], set(), defaultdict(int), defaultdict(set)) for pk, c in by_id.items()
    }
    for tier in Tier.objects.filter(curriculum_id__in=by_id).order_by("position", "number"):
        shape = result[tier.curriculum_id]
        shape.tiers.append(tier)
        if tier.optional:
            shape.optional_tiers.add(tier.pk)
    rows = (
        Entry.objects.active()
        .filter(curriculum_id__in=by_id)
        .values_list("curriculum_id", "tier_id", "topic_id", "role")
        .annotate(n=Count("id"))
        .order_by()
    )
    for curriculum_id, tier_id, topic_id, role, n in rows:
        shape = result[curriculum_id]
        shape.counts[(tier_id, role)] += n
        if topic_id is not None:
            shape.topics[tier_id].add(topic_id)
    return result


def done_counts(
    user_ids: list[int], curriculum_ids: list[int], last: dict | None = None
) -> dict[tuple[int, int], dict[tuple[int | None, str], int]]:
    """(user, curriculum) → (tier, role) → active entries done, in one query: progress is keyed
    on the resource (counts wherever the paper is listed) or, link-less, on the entry; the two
    halves are joined by UNION ALL.

    The same pass fills `last` (when given) with (user, curriculum) → the latest status change,
    so the dashboard needs no second scan for "last activity".
    """
    out: dict[tuple[int, int], dict[tuple[int | None, str], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    active = Entry.objects.active().filter(curriculum_id__in=curriculum_ids)
    halves = []
    for via in ("resource__progress", "progress"):
        halves.append(
            active.filter(**{f"{via}__user_id__in": user_ids})
            .values_list("curriculum_id", "tier_id", "role", F(f"{via}__user_id"))
            .annotate(
                n=Count("id", filter=Q(**{f"{via}__status": Status.DONE})),
                last=Max(f"{via}__updated_at"),
            )
            .order_by()
        )
    latest: dict[tuple[int, int], Any] = {}
    for curriculum_id, tier_id, role, user_id, n, changed in raw_rows(
        halves[0].union(halves[1], all=True)
    ):
        key = (user_id, curriculum_id)
        if n:
            out[key][(tier_id, role)] += n
        # Raw values of one backend compare among themselves (both datetimes, or both ISO
        # text in UTC); only the winners are turned into aware datetimes.
        if changed is not None and (key not in latest or latest[key] < changed):
            latest[key] = changed
    if last is not None:
        last.update((key, _aware(value)) for key, value in latest.items())
    return out


def _aware(value: Any) -> Any:
    """A timestamp from a raw cursor: SQLite hands back text, PostgreSQL a datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def raw_rows(qs: Any) -> list[tuple]:
    """The rows of a values_list query straight from the cursor, for many rows of plain values:
    Django's per-value converters would cost more than the query. On PostgreSQL the rows come
    in the binary format, which reads timestamps several times faster than text. The query
    still goes through Django's cursor wrapper, so it is logged and counted like any other."""
    sql, params = qs.query.sql_with_params()
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        import psycopg
        from psycopg import pq

        raw = psycopg.Cursor(connection.connection)
        raw.format = pq.Format.BINARY
        cursor = (
            connection.make_debug_cursor(raw)
            if connection.queries_logged
            else connection.make_cursor(raw)
        )
    else:
        cursor = connection.cursor()
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def summaries(user_ids: list[int], curriculum_ids: list[int]) -> dict[int, tuple[set, set]]:
    """user → (tiers summarised, topics summarised): the summary step of the first rule."""
    out: dict[int, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    rows = (
        Note.objects.filter(user_id__in=user_ids, kind__in=[Note.Kind.TIER, Note.Kind.TOPIC])
        .filter(curriculum_id__in=curriculum_ids)
        .exclude(body="")
        .values_list("user_id", "tier_id", "topic_id")
    )
    for user_id, tier_id, topic_id in rows:
        tiers, topics = out[user_id]
        if tier_id:
            tiers.add(tier_id)
        if topic_id:
            topics.add(topic_id)
    return out


def _by_steps(
    shape: Shape, done: dict[tuple[int | None, str], int], tiers: set, topics: set, memo: dict
) -> Cell:
    """The first rule, through notes.rules.compute on a few facts standing for all entries.

    The result depends only on which (tier, role) groups have something done and something
    left, and on which summaries exist, so people in the same position share one computation.
    """
    groups = tuple(
        (tier_id, role, min(done.get((tier_id, role), 0), n) > 0, done.get((tier_id, role), 0) < n)
        for (tier_id, role), n in shape.counts.items()
    )
    key = (
        shape.curriculum.pk,
        groups,
        frozenset(tiers & shape.tier_ids),
        frozenset(topics & shape.topic_ids),
    )
    cached = memo.get(key)
    if cached is None:
        facts: list[rules.EntryFacts] = []
        for tier_id, role, some_done, some_left in groups:
            optional = shape.is_optional(tier_id, role)
            if some_done:
                facts.append(rules.EntryFacts(tier_id, None, role, Status.DONE, optional))
            if some_left:
                facts.append(rules.EntryFacts(tier_id, None, role, Status.TO_READ, optional))
        # Topic summaries count for the tier the topic's entries are in; optional stand-ins
        # change nothing else (the rule never requires optional entries).
        for tier_id, tier_topics in shape.topics.items():
            for topic_id in tier_topics & topics:
                facts.append(rules.EntryFacts(tier_id, topic_id, OPTIONAL, Status.TO_READ, True))
        result = rules.compute(
            shape.curriculum.completion_rule,
            facts,
            tier_ids=[t.pk for t in shape.tiers],
            optional_tiers=shape.optional_tiers,
            summary_tiers=tiers,
            summary_topics=topics,
        )
        cached = memo[key] = {t: (p.done, p.total) for t, p in result.tiers.items()}
    return _cell(shape, cached)


def _by_count(shape: Shape, done: dict[tuple[int | None, str], int]) -> Cell:
    """ "Every entry" and "every core entry": one step per required entry."""
    per_tier = dict(shape.empty_tiers)
    for group, tier_id, n in shape.required_groups:
        d, total = per_tier[tier_id]
        per_tier[tier_id] = (d + min(done.get(group, 0), n), total + n)
    return _cell(shape, per_tier)


def _cell(shape: Shape, per_tier: dict[int | None, tuple[int, int]]) -> Cell:
    """Both callers list tiers in the shape's (reading) order, then "no tier" last."""
    tiers, optional = shape.tier_by_id, shape.optional_tiers
    cells = [
        TierCell(tiers.get(tier_id) if tier_id else None, d, n, tier_id in optional)
        for tier_id, (d, n) in per_tier.items()
    ]
    return Cell(sum(c.done for c in cells), sum(c.total for c in cells), cells)


def progress_many(
    user_ids: Iterable[int],
    curricula: Iterable[Curriculum],
    *,
    pairs: Any = None,
    last: dict | None = None,
) -> dict[tuple[int, int], Cell]:
    """(user, curriculum) → Cell for every pair (or only `pairs`), in four queries; `last`
    (when given) is filled with each pair's latest status change (see done_counts)."""
    users = sorted(set(user_ids))
    shape_of = shapes(curricula)
    ids = list(shape_of)
    if not users or not ids:
        return {}
    done = done_counts(users, ids, last)
    notes = summaries(users, ids)
    memo: dict = {}
    wanted = pairs if pairs is not None else [(u, c) for u in users for c in ids]
    out: dict[tuple[int, int], Cell] = {}
    for user_id, curriculum_id in wanted:
        shape = shape_of[curriculum_id]
        mine = done.get((user_id, curriculum_id), {})
        if shape.curriculum.completion_rule == Curriculum.CompletionRule.CORE_PRACTITIONER_SUMMARY:
            tiers, topics = notes.get(user_id, (set(), set()))
            out[(user_id, curriculum_id)] = _by_steps(shape, mine, tiers, topics, memo)
        else:
            out[(user_id, curriculum_id)] = _by_count(shape, mine)
    return out
