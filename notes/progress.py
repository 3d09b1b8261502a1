"""Progress of many people through many curricula by each curriculum's rule, in fixed queries.

Computed from every entry, a team of 200 would make 300,000 facts in Python, and one person's
page on a list of 10,000 entries 10,000. Here notes' tallies hold what each person has done per
tier and role (notes/tallies.py), and the counts are turned into the same result notes.rules gives
(tests/teams/test_progress.py holds the two side by side on random data):

- "core + practitioner + summary" asks "is there any done core/practitioner entry in the tier":
  a handful of representative facts per tier answers that exactly, so notes.rules.compute runs
  on them unchanged, once per distinct situation of a tier;
- "every entry" / "every core entry" are counts of required entries done, taken as counts.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import orjson
from django.db import connection
from django.db.models import Count

from curricula.models import Curriculum, Entry, Tier
from notes import rules, tallies
from notes.models import Enrollment, ProgressTally, Status
from notes.tallies import aware
from readlist.sql import cursor as sql_cursor
from readlist.sql import in_ids

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


@dataclass(frozen=True)
class Cell:
    """One person's progress through one curriculum; read-only, as people with the same
    progress share one."""

    done: int
    total: int
    tiers: tuple[TierCell, ...] = ()

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
    tiers = Tier.objects.filter(curriculum_id__in=by_id).order_by("position", "number")
    return _shapes(by_id, tiers)


def shapes_of_ids(curriculum_ids: Iterable[int]) -> dict[int, Shape]:
    """shapes() for curricula known only by id (notes.tallies' recount): the curricula's rules
    and their tiers in one query, the entries in another."""
    by_id: dict[int, Curriculum] = {}
    tiers: list[Tier] = []
    rows = (
        Curriculum.objects.filter(pk__in=sorted(set(curriculum_ids)))
        .values_list(
            "pk",
            "completion_rule",
            "tiers__pk",
            "tiers__number",
            "tiers__label",
            "tiers__title",
            "tiers__optional",
            "tiers__position",
        )
        .order_by("pk", "tiers__position", "tiers__number")
    )
    for pk, rule, tier_id, number, label, title, optional, position in rows:
        if pk not in by_id:
            by_id[pk] = Curriculum(pk=pk, completion_rule=rule)
        if tier_id is not None:
            tiers.append(
                Tier(
                    pk=tier_id,
                    curriculum_id=pk,
                    number=number,
                    label=label,
                    title=title,
                    optional=optional,
                    position=position,
                )
            )
    return _shapes(by_id, tiers)


def _shapes(by_id: dict[int, Curriculum], tiers: Iterable[Tier]) -> dict[int, Shape]:
    result = {
        pk: Shape(c, [], set(), defaultdict(int), defaultdict(set)) for pk, c in by_id.items()
    }
    for tier in tiers:
        shape = result[tier.curriculum_id]
        shape.tiers.append(tier)
        if tier.optional:
            shape.optional_tiers.add(tier.pk)
    if not by_id:
        return result
    rows = (
        Entry.objects.active()
        .filter(curriculum_id__in=by_id)
        .values_list("curriculum_id", "tier_id", "topic_id", "role")
        # COUNT(*), not COUNT(id): the counts come from the index (entry_active_shape) alone.
        .annotate(n=Count("*"))
        .order_by()
    )
    for curriculum_id, tier_id, topic_id, role, n in rows:
        shape = result[curriculum_id]
        shape.counts[(tier_id, role)] += n
        if topic_id is not None:
            shape.topics[tier_id].add(topic_id)
    return result


class Line(NamedTuple):
    """One person × curriculum as notes' ProgressTally holds it (notes/tallies.py)."""

    done: dict[str, int]  # tally key of each (tier, role) → active entries done
    changed_at: dt.datetime | None  # the latest status change
    notes: int  # notes shared with the team (private ones are not counted)
    noted_at: dt.datetime | None  # the latest shared note saved
    summaries: dict[str, list[int]]  # {"tiers": [...], "topics": [...]} summarised

    @property
    def last_activity(self) -> dt.datetime | None:
        """A status change or a note saved, whichever came last."""
        if self.changed_at is None or self.noted_at is None:
            return self.changed_at or self.noted_at
        return max(self.changed_at, self.noted_at)


NO_LINE = Line({}, None, 0, None, {})


@functools.cache
def _lines_sql() -> str:
    table = ProgressTally._meta
    columns = ", ".join(f'"{table.get_field(name).column}"' for name in tallies.LINE_FIELDS)
    return f"SELECT user_id, curriculum_id, {columns} FROM {table.db_table} WHERE {{where}}"  # noqa: S608


def read_lines(user_ids: Any, curriculum_ids: list[int]) -> dict[tuple[int, int], Line]:
    """(user, curriculum) → its tally line, in one query; pairs with nothing done or written
    have none (NO_LINE stands for them).

    Plain SQL written once per process (compiling the queryset cost ~0.4 ms of every home
    page), prepared, its rows in the binary format on PostgreSQL, which reads timestamps
    several times faster than text: Django's converters cost more than the query here."""
    users, users_params = in_ids("user_id", list(user_ids))
    curricula, curricula_params = in_ids("curriculum_id", list(curriculum_ids))
    with sql_cursor(binary=True) as cursor:
        cursor.execute(
            _lines_sql().format(where=f"{users} AND {curricula}"),
            [*users_params, *curricula_params],
        )
        rows = cursor.fetchall()
    loads = orjson.loads
    # PostgreSQL's binary rows hold aware timestamps already; SQLite's hold text.
    when = aware if connection.vendor != "postgresql" else lambda value: value
    return {
        (user_id, curriculum_id): Line(
            loads(done), when(changed), notes, when(noted), loads(summarised)
        )
        for user_id, curriculum_id, done, changed, notes, noted, summarised in rows
    }


def read_enrollment_and_line(user_id: int, curriculum_id: int) -> tuple[Enrollment | None, Line]:
    """My enrollment in a curriculum (None when I neither follow it nor have it assigned) and
    my tally line in it, in one query: the curriculum page needs both, and each alone was a
    round trip and an ORM compile of its own."""
    fields = Enrollment._meta.concrete_fields
    columns = ", ".join(f'en."{f.column}"' for f in fields)
    line_columns = ", ".join(f't."{name}"' for name in tallies.LINE_FIELDS)
    sql = f"""
        SELECT {columns}, {line_columns}, t.id
        FROM (SELECT %s AS user_id, %s AS curriculum_id) k
        LEFT JOIN {Enrollment._meta.db_table} en
          ON en.user_id = k.user_id AND en.curriculum_id = k.curriculum_id
        LEFT JOIN {ProgressTally._meta.db_table} t
          ON t.user_id = k.user_id AND t.curriculum_id = k.curriculum_id
    """  # noqa: S608  (table and column names from the models; values are parameters)
    with sql_cursor() as cursor:
        cursor.execute(sql, [user_id, curriculum_id])
        row = cursor.fetchone()
    values, line_values, tally_id = row[: len(fields)], row[len(fields) : -1], row[-1]
    enrollment = None
    if values[0] is not None:
        converted = []
        for field, value in zip(fields, values, strict=True):
            for convert in field.get_db_converters(connection) + connection.ops.get_db_converters(
                field.get_col(Enrollment._meta.db_table)
            ):
                value = convert(value, field, connection)
            converted.append(value)
        enrollment = Enrollment.from_db(connection.alias, [f.attname for f in fields], converted)
    if tally_id is None:
        return enrollment, NO_LINE
    done, changed, notes, noted, summarised = line_values
    # PostgreSQL's rows hold aware timestamps already; SQLite's hold text.
    when = aware if connection.vendor != "postgresql" else lambda value: value
    return enrollment, Line(
        orjson.loads(done), when(changed), notes, when(noted), orjson.loads(summarised)
    )


def _by_steps(
    shape: Shape, done: dict[str, int], tiers: Set[int], topics: Set[int], memo: dict
) -> Cell:
    """The first rule, through notes.rules.compute on a few facts standing for all entries.

    Under this rule a tier's steps depend only on that tier: which of its (tier, role) groups
    have something done, and which summaries exist. rules.compute runs once per distinct
    situation of a tier (a handful per tier for a whole team) and people share the results.
    """
    # Under this rule what counts is which groups have something done (the tallies keep only
    # groups with a count), so people alike in that and in their summaries share one Cell.
    whole = (shape.id, frozenset(done), frozenset(tiers), frozenset(topics))
    cell = memo.get(whole)
    if cell is None:
        cell = memo[whole] = _steps_cell(shape, done, tiers, topics, memo)
    return cell


def _tier_steps(
    shape: Shape,
    tier_id: int | None,
    some_done: tuple[bool, ...],
    summary_tier: bool,
    summarised: frozenset[int],
) -> rules.TierProgress:
    """One tier under the first rule, by notes.rules.compute on a few stand-in facts."""
    facts: list[rules.EntryFacts] = []
    for (_, role, _), done in zip(shape.groups[tier_id], some_done, strict=True):
        optional = shape.is_optional(tier_id, role)
        if done:
            facts.append(rules.EntryFacts(tier_id, None, role, Status.DONE, optional))
        # Whether anything is left changes no step of this rule; the fact keeps the group
        # present.
        facts.append(rules.EntryFacts(tier_id, None, role, Status.TO_READ, optional))
    # Topic summaries count for the tier the topic's entries are in; optional stand-ins change
    # nothing else (the rule never requires optional entries).
    for topic_id in summarised:
        facts.append(rules.EntryFacts(tier_id, topic_id, OPTIONAL, Status.TO_READ, True))
    return rules.compute(
        shape.curriculum.completion_rule,
        facts,
        tier_ids=[tier_id],
        optional_tiers=shape.optional_tiers,
        summary_tiers={tier_id} if summary_tier else set(),
        summary_topics=summarised,
    ).tiers[tier_id]


def _situation(
    shape: Shape, tier_id: int | None, done: dict[str, int], tiers: Set[int], topics: Set[int]
) -> tuple[tuple[bool, ...], bool, frozenset[int]]:
    """What the first rule looks at in a tier: which groups have something done, whether the
    tier is summarised, and which of its topics are."""
    here = shape.topics.get(tier_id)
    summarised = frozenset(here & topics) if here and topics else frozenset()
    return tuple(map(done.__contains__, shape.group_keys[tier_id])), tier_id in tiers, summarised


def _steps_cell(
    shape: Shape, done: dict[str, int], tiers: Set[int], topics: Set[int], memo: dict
) -> Cell:
    cells = []
    got = needed = 0
    for tier_id in shape.groups:
        situation = _situation(shape, tier_id, done, tiers, topics)
        key = (shape.id, tier_id, *situation)
        result = memo.get(key)
        if result is None:
            progress = _tier_steps(shape, tier_id, *situation)
            result = memo[key] = shape.cell(tier_id, progress.done, progress.total)
        cells.append(result)
        got += result.done
        needed += result.total
    return Cell(got, needed, tuple(cells))


def person_progress(shape: Shape, line: Line) -> rules.CurriculumProgress:
    """One person's progress through one curriculum, tier by tier, as notes.rules gives it
    (the named steps of the first rule included), from their tally line: what a member's pages
    show, at the same cost for 10 entries or 10,000."""
    out: dict[int | None, Any] = {}
    if shape.by_steps:
        summarised = line.summaries or {}
        tiers = set(summarised.get("tiers", ()))
        topics = set(summarised.get("topics", ()))
        for tier_id in shape.groups:
            situation = _situation(shape, tier_id, line.done, tiers, topics)
            out[tier_id] = _tier_steps(shape, tier_id, *situation)
    else:
        for tier_id, groups, total in shape.counted:
            got = sum(min(line.done.get(key, 0), n) for key, n in groups)
            out[tier_id] = rules.Counted(tier_id, got, total, tier_id in shape.optional_tiers)
    return rules.CurriculumProgress(out)


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
    return Cell(got_all, shape.required, tuple(cells))


def progress_many(
    user_ids: Iterable[int],
    curricula: Iterable[Curriculum],
    *,
    pairs: Any = None,
    lines: dict[tuple[int, int], Line] | None = None,
    shape_of: dict[int, Shape] | None = None,
) -> dict[tuple[int, int], Cell]:
    """(user, curriculum) → Cell for every pair (or only `pairs`), in three queries: none for
    the `lines` or the curricula's shapes (`shape_of`: notes.cached.shapes_of) the caller has
    read already, as a page that also shows them does."""
    users = sorted(set(user_ids))
    if shape_of is None:
        shape_of = shapes(curricula)
    ids = list(shape_of)
    if not users or not ids:
        return {}
    if lines is None:
        lines = read_lines(users, ids)
    memo: dict = {}
    wanted = pairs if pairs is not None else [(u, c) for u in users for c in ids]
    return {
        (user_id, curriculum_id): cell_of(
            shape_of[curriculum_id], lines.get((user_id, curriculum_id), NO_LINE), memo
        )
        for user_id, curriculum_id in wanted
    }


_NONE: frozenset[int] = frozenset()


def cell_of(shape: Shape, line: Line, memo: dict) -> Cell:
    """One person's Cell in one curriculum from their tally line; `memo` is shared by the calls
    of one page (people in the same position share one Cell)."""
    if shape.by_steps:
        summarised = line.summaries
        tiers = set(summarised.get("tiers", ())) if summarised else _NONE
        topics = set(summarised.get("topics", ())) if summarised else _NONE
        return _by_steps(shape, line.done, tiers, topics, memo)
    return _by_count(shape, line.done, memo)
