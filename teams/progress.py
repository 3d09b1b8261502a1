"""Progress of many people through many curricula by each curriculum's rule, in fixed queries.

notes.selectors computes one person at a time from every entry; a team of 200 would make that
300,000 facts in Python. Here notes' tallies hold what each person has done per tier and role
(notes/tallies.py), and the counts are turned into the same result notes.rules gives
(tests/teams/test_progress.py holds the two side by side on random data):

- "core + practitioner + summary" asks "is there any done core/practitioner entry in the tier":
  a handful of representative facts per tier answers that exactly, so notes.rules.compute runs
  on them unchanged, once per distinct situation of a tier;
- "every entry" / "every core entry" are counts of required entries done, taken as counts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Count

from curricula.models import Curriculum, Entry, Tier
from notes import rules, tallies
from notes.models import Note, ProgressTally, Status
from notes.tallies import aware

CORE, PRACTITIONER, OPTIONAL = Entry.Role.CORE, Entry.Role.PRACTITIONER, Entry.Role.OPTIONAL


@dataclass(frozen=True)
class TierCell:
    """One tier of one person's progress; read-only, as people in the same position share one."""

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
    id: int = field(init=False)
    by_steps: bool = field(init=False)

    def __post_init__(self) -> None:
        self.id = self.curriculum.pk
        self.by_steps = (
            self.curriculum.completion_rule == Curriculum.CompletionRule.CORE_PRACTITIONER_SUMMARY
        )

    @cached_property
    def required(self) -> int:
        """Required entries in all, for the counting rules."""
        return sum(total for _, _, total in self.counted)

    def cell(self, tier_id: int | None, done: int, total: int) -> TierCell:
        tier = self.tier_by_id.get(tier_id) if tier_id else None
        return TierCell(tier, done, total, tier_id in self.optional_tiers)

    def is_optional(self, tier_id: int | None, role: str) -> bool:
        return role == OPTIONAL or tier_id in self.optional_tiers

    @cached_property
    def columns(self) -> list[int | None]:
        """The tiers every person's cell lists: reading order, then entries outside any tier."""
        known = [t.pk for t in self.tiers]
        extra = {tier_id for tier_id, _ in self.counts if tier_id not in set(known)}
        return known + sorted(t for t in extra if t is not None) + ([None] if None in extra else [])

    @cached_property
    def tier_by_id(self) -> dict[int, Tier]:
        return {t.pk: t for t in self.tiers}

    @cached_property
    def groups(self) -> dict[int | None, list[tuple[str, str, int]]]:
        """Column → its (tier, role) groups as (tally key, role, entries)."""
        out: dict[int | None, list[tuple[str, str, int]]] = {c: [] for c in self.columns}
        for (tier_id, role), n in self.counts.items():
            out[tier_id].append((tallies.group_key(tier_id, role), role, n))
        return out

    @cached_property
    def group_keys(self) -> dict[int | None, list[str]]:
        return {tier_id: [key for key, _, _ in groups] for tier_id, groups in self.groups.items()}

    @cached_property
    def counted(self) -> list[tuple[int | None, list[tuple[str, int]], int]]:
        """For the counting rules, per column: (tier, [(key, entries)] that count, their sum).
        "Every core entry" counts every entry when the curriculum marks none core."""
        only_core = self.curriculum.completion_rule == Curriculum.CompletionRule.ALL_CORE and any(
            n and role == CORE and not self.is_optional(tier_id, role)
            for (tier_id, role), n in self.counts.items()
        )
        out = []
        for tier_id, groups in self.groups.items():
            kept = [
                (key, n)
                for key, role, n in groups
                if not self.is_optional(tier_id, role) and not (only_core and role != CORE)
            ]
            out.append((tier_id, kept, sum(n for _, n in kept)))
        return out


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
    user_ids: Any, curriculum_ids: list[int], last: dict | None = None
) -> dict[tuple[int, int], dict[str, int]]:
    """(user, curriculum) → tally key of each (tier, role) → active entries done, read from
    notes' ProgressTally (a line per person and curriculum, kept in step with progress and
    entries). The same read fills `last` (when given) with each pair's latest status change."""
    rows = ProgressTally.objects.filter(user_id__in=user_ids, curriculum_id__in=curriculum_ids)
    out = {}
    for user_id, curriculum_id, done, changed in raw_rows(
        rows.values_list("user_id", "curriculum_id", "done", "changed_at")
    ):
        out[(user_id, curriculum_id)] = json.loads(done) if isinstance(done, str) else done
        if last is not None and changed is not None:
            last[(user_id, curriculum_id)] = aware(changed)
    return out


def raw_rows(qs: Any) -> list[tuple]:
    """The rows of a values_list query straight from the cursor, for hundreds of rows: Django's
    per-value converters (text timestamps, JSON) cost more than the query here. On PostgreSQL
    the rows come in the binary format, which reads timestamps and JSON several times faster
    than text. The query still goes through Django's cursor wrapper, so it is logged and
    counted like any other."""
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


def summaries(user_ids: Any, curriculum_ids: list[int]) -> dict[int, tuple[set, set]]:
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


def _by_steps(shape: Shape, done: dict[str, int], tiers: set, topics: set, memo: dict) -> Cell:
    """The first rule, through notes.rules.compute on a few facts standing for all entries.

    Under this rule a tier's steps depend only on that tier: which of its (tier, role) groups
    have something done, and which summaries exist. rules.compute runs once per distinct
    situation of a tier (a handful per tier for a whole team) and people share the results.
    """
    cells = []
    got = needed = 0
    nothing: frozenset[int] = frozenset()
    for tier_id, groups in shape.groups.items():
        here = shape.topics.get(tier_id)
        summarised = frozenset(here & topics) if here and topics else nothing
        key = (
            shape.id,
            tier_id,
            tuple(map(done.__contains__, shape.group_keys[tier_id])),
            tier_id in tiers,
            summarised,
        )
        result = memo.get(key)
        if result is None:
            facts: list[rules.EntryFacts] = []
            for (_, role, _), some_done in zip(groups, key[2], strict=True):
                optional = shape.is_optional(tier_id, role)
                if some_done:
                    facts.append(rules.EntryFacts(tier_id, None, role, Status.DONE, optional))
                # Whether anything is left changes no step of this rule; the fact keeps the
                # group present.
                facts.append(rules.EntryFacts(tier_id, None, role, Status.TO_READ, optional))
            # Topic summaries count for the tier the topic's entries are in; optional stand-ins
            # change nothing else (the rule never requires optional entries).
            for topic_id in summarised:
                facts.append(rules.EntryFacts(tier_id, topic_id, OPTIONAL, Status.TO_READ, True))
            progress = rules.compute(
                shape.curriculum.completion_rule,
                facts,
                tier_ids=[tier_id],
                optional_tiers=shape.optional_tiers,
                summary_tiers={tier_id} & tiers,
                summary_topics=summarised,
            ).tiers[tier_id]
            result = memo[key] = shape.cell(tier_id, progress.done, progress.total)
        cells.append(result)
        got += result.done
        needed += result.total
    return Cell(got, needed, cells)


def _by_count(shape: Shape, done: dict[str, int], memo: dict) -> Cell:
    """ "Every entry" and "every core entry": one step per required entry."""
    cells = []
    got_all = 0
    for tier_id, groups, total in shape.counted:
        got = 0
        for key, n in groups:
            d = done.get(key)
            if d:
                got += d if d < n else n
        # Cells are read-only: people at the same count in a tier share one.
        cell = memo.get((shape.id, tier_id, got))
        if cell is None:
            cell = memo[(shape.id, tier_id, got)] = shape.cell(tier_id, got, total)
        cells.append(cell)
        got_all += got
    return Cell(got_all, shape.required, cells)


def progress_many(
    user_ids: Iterable[int],
    curricula: Iterable[Curriculum],
    *,
    pairs: Any = None,
    last: dict | None = None,
    who: Any = None,
) -> dict[tuple[int, int], Cell]:
    """(user, curriculum) → Cell for every pair (or only `pairs`), in four queries; `last`
    (when given) is filled with each pair's latest status change (see done_counts). `who`, a
    values("user_id") query naming the same people, stands in for the ids in SQL: a team's
    200 ids as parameters cost more to send than the subquery costs to run."""
    users = sorted(set(user_ids))
    shape_of = shapes(curricula)
    ids = list(shape_of)
    if not users or not ids:
        return {}
    scope = users if who is None else who
    done = done_counts(scope, ids, last)
    # Only the summary rule reads summaries.
    stepped = [pk for pk, shape in shape_of.items() if shape.by_steps]
    notes = summaries(scope, stepped) if stepped else {}
    memo: dict = {}
    nothing: dict[str, int] = {}
    no_summaries: tuple[set, set] = (set(), set())
    wanted = pairs if pairs is not None else [(u, c) for u in users for c in ids]
    out: dict[tuple[int, int], Cell] = {}
    for user_id, curriculum_id in wanted:
        shape = shape_of[curriculum_id]
        mine = done.get((user_id, curriculum_id), nothing)
        if shape.by_steps:
            tiers, topics = notes.get(user_id, no_summaries)
            out[(user_id, curriculum_id)] = _by_steps(shape, mine, tiers, topics, memo)
        else:
            out[(user_id, curriculum_id)] = _by_count(shape, mine, memo)
    return out
