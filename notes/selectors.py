"""Reads of each person's reading state and notes, in a constant number of queries."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from curricula.feeds import read_changes
from curricula.models import Curriculum, Entry, Resource, Revision, Tier, Topic
from notes import rules
from notes.models import Enrollment, Note, Progress, Status
from readlist.sql import cursor as sql_cursor
from readlist.sql import in_ids

CLOSED = {Status.DONE, Status.SKIPPED}


_ENTRY_FIELDS = (
    "id", "curriculum_id", "tier_id", "topic_id", "resource_id", "title", "alias", "why",
    "tags", "date_text", "extra_links", "role", "position", "added_on", "todo",
    "introduced_in__created_at",
)  # fmt: skip
_RESOURCE_FIELDS = (
    "resource__url", "resource__kind", "resource__title", "resource__authors",
    "resource__published", "resource__health", "resource__verification",
)  # fmt: skip


class ResourceView:
    """The few Resource fields a list shows."""

    __slots__ = ("authors", "health", "kind", "published", "title", "url", "verification")

    def __init__(self, url, kind, title, authors, published, health, verification) -> None:
        self.url, self.kind, self.title, self.authors = url, kind, title, authors
        self.published, self.health, self.verification = published, health, verification


class EntryView:
    """An entry as lists show it: built from one row of values, not a model instance.

    Pages list up to 2,000 of these; model instances with their related resource cost
    several times more to build, and lists never save them.
    """

    __slots__ = (*(f for f in _ENTRY_FIELDS if "__" not in f), "introduced_at", "resource")

    def __init__(self, row: tuple) -> None:
        (
            self.id, self.curriculum_id, self.tier_id, self.topic_id, self.resource_id,
            self.title, self.alias, self.why, self.tags, self.date_text, self.extra_links,
            self.role, self.position, self.added_on, self.todo, self.introduced_at,
        ) = row[:16]  # fmt: skip
        self.resource = ResourceView(*row[16:]) if self.resource_id else None

    @property
    def pk(self) -> int:
        return self.id


_LIGHT_FIELDS = (
    "id", "curriculum_id", "tier_id", "topic_id", "resource_id", "title", "role", "position",
    "added_on", "introduced_in__created_at",
)  # fmt: skip


def entries_for(curriculum_ids: Iterable[int], *, light: bool = False) -> list[EntryView]:
    """Active entries of these curricula with what lists show, in one query.

    `light` reads only what progress, ordering and titles need (the home page's thousands).
    """
    qs = Entry.objects.active().filter(curriculum_id__in=list(curriculum_ids))
    if light:
        out = []
        for row in qs.values_list(*_LIGHT_FIELDS):
            view = EntryView.__new__(EntryView)
            (
                view.id, view.curriculum_id, view.tier_id, view.topic_id, view.resource_id,
                view.title, view.role, view.position, view.added_on, view.introduced_at,
            ) = row  # fmt: skip
            view.alias = view.why = view.date_text = ""
            view.tags, view.extra_links, view.todo, view.resource = [], [], False, None
            out.append(view)
        return out
    return [EntryView(row) for row in qs.values_list(*_ENTRY_FIELDS, *_RESOURCE_FIELDS)]


def entry_views(entries: QuerySet) -> list[EntryView]:
    """These entries (a sliced, ordered queryset) as lists show them, in one query."""
    return [EntryView(row) for row in entries.values_list(*_ENTRY_FIELDS, *_RESOURCE_FIELDS)]


class TopicView(NamedTuple):
    pk: int
    title: str
    part: str


def entry_views_with_topics(entries: QuerySet) -> list[tuple[EntryView, TopicView | None]]:
    """entry_views, each with its topic's heading, in the same one query."""
    rows = entries.values_list(*_ENTRY_FIELDS, *_RESOURCE_FIELDS, "topic__title", "topic__part")
    return [
        (EntryView(row[:-2]), TopicView(row[3], row[-2], row[-1] or "") if row[3] else None)
        for row in rows
    ]


def status_maps_for(user: Any, entries: list[Any]) -> tuple[dict[int, str], dict[int, str]]:
    """My statuses on just these entries (a page of them), as status_maps gives them."""
    resources = [e.resource_id for e in entries if e.resource_id]
    linkless = [e.pk for e in entries if not e.resource_id]
    by_resource: dict[int, str] = {}
    by_entry: dict[int, str] = {}
    if not entries:
        return by_resource, by_entry
    rows = (
        Progress.objects.filter(user=user)
        .filter(Q(resource_id__in=resources) | Q(resource__isnull=True, entry_id__in=linkless))
        .values_list("resource_id", "entry_id", "status")
    )
    for resource_id, entry_id, status in rows:
        if resource_id:
            by_resource[resource_id] = status
        else:
            by_entry[entry_id] = status
    return by_resource, by_entry


def marks_for(
    user: Any, entries: list[Any]
) -> tuple[tuple[dict[int, str], dict[int, str]], NoteIndex]:
    """My statuses on these entries (as status_maps_for gives them) and my notes with text on
    them (NoteIndex.by_resource / by_entry), in one query: a page of rows costs one round trip
    for both, and plain SQL with the ids as parameters compiles in a fraction of what two ORM
    queries with ORed lookups did (~1 ms of the curriculum page's CPU)."""
    by_resource: dict[int, str] = {}
    by_entry: dict[int, str] = {}
    index = NoteIndex()
    if not entries:
        return (by_resource, by_entry), index
    resources, params_r = in_ids("resource_id", [e.resource_id for e in entries if e.resource_id])
    linkless, params_e = in_ids("entry_id", [e.pk for e in entries if not e.resource_id])
    progress, note = Progress._meta.db_table, Note._meta.db_table
    sql = (
        f"SELECT 0, resource_id, entry_id, status, 0 FROM {progress} "  # noqa: S608 - names
        f"WHERE user_id = %s AND ({resources} "
        f"OR (resource_id IS NULL AND {linkless})) "
        f"UNION ALL SELECT 1, resource_id, entry_id, '', id FROM {note} "
        f"WHERE user_id = %s AND body <> '' AND ((kind = %s AND {resources}) "
        f"OR (kind = %s AND {linkless}))"
    )
    params = [user.pk, *params_r, *params_e, user.pk, Note.Kind.RESOURCE.value, *params_r]
    params += [Note.Kind.ENTRY.value, *params_e]
    with sql_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for is_note, resource_id, entry_id, status, note_id in rows:
        if is_note:
            if resource_id:
                index.by_resource[resource_id] = note_id
            else:
                index.by_entry[entry_id] = note_id
        elif resource_id:
            by_resource[resource_id] = status
        else:
            by_entry[entry_id] = status
    return (by_resource, by_entry), index


def status_maps(
    user: Any, curriculum_ids: Iterable[int], entries: Iterable[Any] | None = None
) -> tuple[dict[int, str], dict[int, str]]:
    """My statuses for everything in these curricula: (by resource id, by entry id).

    `entries` is accepted for callers that have them; subqueries are cheaper than sending
    thousands of ids back to the database.
    """
    ids = list(curriculum_ids)
    active = Entry.objects.filter(curriculum_id__in=ids)
    match = Q(resource_id__in=active.filter(resource__isnull=False).values("resource_id")) | Q(
        entry_id__in=active.filter(resource__isnull=True).values("id")
    )
    rows = (
        Progress.objects.filter(user=user)
        .filter(match)
        .values_list("resource_id", "entry_id", "status")
    )
    by_resource: dict[int, str] = {}
    by_entry: dict[int, str] = {}
    for resource_id, entry_id, status in rows:
        if resource_id:
            by_resource[resource_id] = status
        else:
            by_entry[entry_id] = status
    return by_resource, by_entry


def status_of(entry: Any, maps: tuple[dict[int, str], dict[int, str]]) -> str:
    if entry.resource_id:
        return maps[0].get(entry.resource_id, Status.TO_READ)
    return maps[1].get(entry.pk, Status.TO_READ)


@dataclass
class NoteIndex:
    """Which of my notes exist, for badges and the summary step of the completion rule."""

    by_resource: dict[int, int] = field(default_factory=dict)
    by_entry: dict[int, int] = field(default_factory=dict)
    tiers: dict[int, int] = field(default_factory=dict)
    topics: dict[int, int] = field(default_factory=dict)

    def for_entry(self, entry: Any) -> int | None:
        if entry.resource_id:
            return self.by_resource.get(entry.resource_id)
        return self.by_entry.get(entry.pk)


def note_index(
    user: Any, curriculum_ids: Iterable[int], entries: Iterable[Any] | None = None
) -> NoteIndex:
    ids = list(curriculum_ids)
    if entries is not None:
        # A person's notes are few: fetch them all and keep those on these entries, rather
        # than send the entries' ids to the database.
        wanted_resources = {e.resource_id for e in entries if e.resource_id}
        wanted_entries = {e.pk for e in entries if not e.resource_id}
        index = note_index_all(user, ids)
        index.by_resource = {k: v for k, v in index.by_resource.items() if k in wanted_resources}
        index.by_entry = {k: v for k, v in index.by_entry.items() if k in wanted_entries}
        return index
    else:
        on_resources = Q(
            resource_id__in=Entry.objects.filter(
                curriculum_id__in=ids, resource__isnull=False
            ).values("resource_id")
        )
        on_linkless = Q(entry__curriculum_id__in=ids)
    rows = (
        Note.objects.filter(user=user)
        .exclude(body="")
        .filter(
            Q(on_resources, kind=Note.Kind.RESOURCE)
            | Q(on_linkless, kind=Note.Kind.ENTRY)
            | Q(kind=Note.Kind.TIER, tier__curriculum_id__in=ids)
            | Q(kind=Note.Kind.TOPIC, topic__curriculum_id__in=ids)
        )
        .values_list("pk", "kind", "resource_id", "entry_id", "tier_id", "topic_id")
    )
    return _note_index(rows)


def progress_for(
    curriculum: Curriculum,
    entries: list[Any],
    tiers: list[Tier],
    maps: tuple[dict[int, str], dict[int, str]],
    notes: NoteIndex,
) -> rules.CurriculumProgress:
    optional_tiers = {t.pk for t in tiers if t.optional}
    facts = [
        rules.EntryFacts(
            tier_id=e.tier_id,
            topic_id=e.topic_id,
            role=e.role,
            status=status_of(e, maps),
            optional=e.role == Entry.Role.OPTIONAL or e.tier_id in optional_tiers,
        )
        for e in entries
    ]
    return rules.compute(
        curriculum.completion_rule,
        facts,
        tier_ids=[t.pk for t in tiers],
        optional_tiers=optional_tiers,
        summary_tiers=notes.tiers.keys(),
        summary_topics=notes.topics.keys(),
    )


def reading_order(
    curriculum: Curriculum, entries: list[Any], tiers: dict[int, Tier], topics: dict[int, Topic]
) -> list[Any]:
    """Elicit reads Tier 1 of every topic, then Tier 2, …; others read as listed."""
    if curriculum.reading_order == Curriculum.ReadingOrder.BY_TIER:

        def key(e: Any) -> tuple[int, int, int, int]:
            tier = tiers.get(e.tier_id) if e.tier_id else None
            topic = topics.get(e.topic_id) if e.topic_id else None
            return (
                tier.position if tier else 1 << 30,
                tier.number if tier else 0,
                topic.position if topic else 1 << 30,
                e.position,
            )

        return sorted(entries, key=key)
    return sorted(entries, key=lambda e: e.position)


def is_new_for(entry: Any, started_at: datetime | None) -> bool:
    """Added to the list after I started following it."""
    if started_at is None:
        return False
    introduced_at = getattr(entry, "introduced_at", None)
    if introduced_at and introduced_at > started_at:
        return True
    return bool(entry.added_on and entry.added_on > started_at.date())


def note_index_all(user: Any, curriculum_ids: list[int]) -> NoteIndex:
    """All my notes with text; summaries only of these curricula's tiers and topics."""
    rows = (
        Note.objects.filter(user=user)
        .exclude(body="")
        .filter(
            Q(kind__in=[Note.Kind.RESOURCE, Note.Kind.ENTRY]) | Q(curriculum_id__in=curriculum_ids)
        )
        .values_list("pk", "kind", "resource_id", "entry_id", "tier_id", "topic_id")
    )
    return _note_index(rows)


@dataclass
class HomeCard:
    enrollment: Enrollment
    progress: rules.CurriculumProgress
    next_entries: list[Any]
    new_entries: list[Any]
    new_count: int
    # Tiers whose sources the rule is satisfied with but whose summary is not written yet.
    summaries_due: list[Any] = field(default_factory=list)
    # Revisions imported since I last marked the list's changes seen (unseen_changes).
    changes: list[RevisionChange] = field(default_factory=list)


@dataclass
class RevisionChange:
    number: int
    created_at: Any
    added: list[str]
    retired: list[str]
    relinked: list[dict[str, str]]
    # Retired entries I had finished: my progress in the list no longer counts them.
    lost: list[str]


MAX_CHANGES = 10


def unseen_changes(user: Any, enrollments: list[Enrollment]) -> dict[int, list[RevisionChange]]:
    """Curriculum id → the revisions (newest first, at most MAX_CHANGES) imported since this
    person last marked the list's changes seen, or since they started following it: one query
    for the revisions, and when there are any, one for their entries and one for my finished
    ones among those retired (none when nothing I follow changed, or nothing was retired)."""
    if not enrollments:
        return {}
    match = Q(pk__in=[])
    for e in enrollments:
        match |= Q(curriculum_id=e.curriculum_id, created_at__gt=e.changes_seen_at or e.started_at)
    revisions = list(
        Revision.objects.filter(match)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("curriculum_id")], order_by=F("number").desc())
        )
        .filter(rank__lte=MAX_CHANGES)
        .defer("source_text", "summary_text")
        .order_by("curriculum_id", "-number")
    )
    if not revisions:
        return {}
    read_changes(revisions)
    gone = [row for r in revisions for row in r.retired_entries]
    done: set[tuple[str, int]] = set()
    if gone:
        finished = Progress.objects.filter(user=user, status=Status.DONE).filter(
            Q(resource_id__in={res for _, res, _ in gone if res})
            | Q(entry_id__in={pk for pk, res, _ in gone if not res})
        )
        for res, entry in finished.values_list("resource_id", "entry_id"):
            done.add(("r", res) if res else ("e", entry))
    found: dict[int, list[RevisionChange]] = {}
    for r in revisions:
        lost = [
            title
            for pk, res, title in r.retired_entries
            if (("r", res) if res else ("e", pk)) in done
        ]
        found.setdefault(r.curriculum_id, []).append(
            RevisionChange(r.number, r.created_at, r.added, r.retired, r.relinked, lost)
        )
    return found


# What home shows of a curriculum: all but the long texts.
_CURRICULUM_LEFT_OUT = ("guidance", "note_template")


def _fields_but(model: Any, alias: str, left_out: tuple[str, ...]) -> tuple[str, list]:
    """A model's columns under `alias` but `left_out`, and (field, converters) for each."""
    fields = [f for f in model._meta.concrete_fields if f.name not in left_out]
    sql = ", ".join(f'{alias}."{f.column}"' for f in fields)
    return sql, [
        (f, f.get_db_converters(connection) + connection.ops.get_db_converters(f.get_col(alias)))
        for f in fields
    ]


def _build(model: Any, shape: list, values: Any) -> Any:
    """An instance (deferred fields left out) from `values` in the order of _fields_but."""
    names = [f.attname for f, _ in shape]
    values = [_convert(v, f, funcs) for v, (f, funcs) in zip(values, shape, strict=True)]
    return model.from_db(connection.alias, names, values)


@functools.cache
def _my_enrollments_query() -> tuple[str, list, list]:
    """my_enrollments' SQL, written once per process: the ORM took ~3 ms to build and compile
    the same query (select_related, defer, three Exists) on every home page."""
    enrollment, enrollment_shape = _fields_but(Enrollment, "en", ())
    curriculum, curriculum_shape = _fields_but(Curriculum, "c", _CURRICULUM_LEFT_OUT)
    revision, entry = Revision._meta.db_table, Entry._meta.db_table
    sql = f"""
        SELECT {enrollment}, {curriculum},
          EXISTS(SELECT 1 FROM {revision} r WHERE r.curriculum_id = en.curriculum_id
                 AND r.created_at > COALESCE(en.changes_seen_at, en.started_at)),
          EXISTS(SELECT 1 FROM {revision} r WHERE r.curriculum_id = en.curriculum_id
                 AND r.created_at > en.started_at)
          OR EXISTS(SELECT 1 FROM {entry} e WHERE e.curriculum_id = en.curriculum_id
                    AND e.retired_in_id IS NULL AND e.added_on > en.started_at)
        FROM {Enrollment._meta.db_table} en
        JOIN {Curriculum._meta.db_table} c ON c.id = en.curriculum_id
        WHERE en.user_id = %s
        ORDER BY en.source, en.target_date ASC NULLS LAST, en.started_at, en.id
    """  # noqa: S608  (table and column names from the models; values are parameters)
    return sql, enrollment_shape, curriculum_shape


def my_enrollments(user: Any) -> list[Enrollment]:
    """The lists I follow or have assigned, each with its curriculum (long texts left out),
    assigned first ("assigned" sorts before "followed"), soonest due first; each marked
    `changed`, whether the list changed since I last looked (no further query when it did
    not), and `news`, whether anything can be new since I started: a later revision, or an
    entry marked added after that day (a date after the start's date is after the start);
    without either, new_entries() would read every entry of the list to find none."""
    sql, enrollment_shape, curriculum_shape = _my_enrollments_query()
    with sql_cursor() as cursor:
        cursor.execute(sql, [user.pk])
        rows = cursor.fetchall()
    out = []
    split = len(enrollment_shape)
    for row in rows:
        enrollment = _build(Enrollment, enrollment_shape, row[:split])
        enrollment.curriculum = _build(Curriculum, curriculum_shape, row[split:-2])
        enrollment.changed, enrollment.news = bool(row[-2]), bool(row[-1])
        out.append(enrollment)
    return out


@functools.cache
def _other_curricula_query() -> tuple[str, list]:
    curriculum, shape = _fields_but(Curriculum, "c", _CURRICULUM_LEFT_OUT)
    sql = f"""
        SELECT {curriculum}, (SELECT COUNT(*) FROM {Entry._meta.db_table} e
                              WHERE e.curriculum_id = c.id AND e.retired_in_id IS NULL)
        FROM {Curriculum._meta.db_table} c WHERE {{where}}
        ORDER BY c.title, c.id
    """  # noqa: S608  (table and column names from the models; values are parameters)
    return sql, shape


def other_curricula(followed: list[int]) -> list[Curriculum]:
    """Every curriculum but these, by title, with its `entry_count` of active entries (long
    texts left out). Plain SQL written once per process: the ORM took ~2 ms to build and
    compile it on every home page."""
    sql, shape = _other_curricula_query()
    where, params = "1 = 1", []
    if followed:
        test, params = in_ids("c.id", followed)
        where = f"NOT ({test})"
    with sql_cursor() as cursor:
        cursor.execute(sql.format(where=where), params)
        rows = cursor.fetchall()
    out = []
    for row in rows:
        curriculum = _build(Curriculum, shape, row[:-1])
        curriculum.entry_count = row[-1]
        out.append(curriculum)
    return out


def home(user: Any, next_count: int = 3) -> dict[str, Any]:
    """Everything the home page shows, in a fixed number of queries whatever the size of the
    lists: progress from the tallies, and only the few entries shown (next, new) read."""
    from notes import cached
    from notes import progress as tallied

    enrollments = my_enrollments(user)
    ids = [e.curriculum_id for e in enrollments]
    cards: list[HomeCard] = []
    if ids:
        shapes = {e.curriculum_id: cached.shape_of(e.curriculum) for e in enrollments}
        lines = tallied.read_lines([user.pk], ids)
        progress = {
            c_id: tallied.person_progress(shapes[c_id], lines.get((user.pk, c_id), tallied.NO_LINE))
            for c_id in ids
        }
        wanted = {c_id: rules.missing(p) for c_id, p in progress.items()}
        upcoming = next_entries(user, ids, count=next_count, wanted=wanted)
        new, new_counts = new_entries([e for e in enrollments if e.news], count=next_count)
        changed = unseen_changes(user, [e for e in enrollments if getattr(e, "changed", True)])
        for enrollment in enrollments:
            c = enrollment.curriculum
            want = wanted[c.pk]
            due = [shapes[c.pk].tier_by_id[t] for t in want.summaries] if want else []
            cards.append(
                HomeCard(
                    enrollment,
                    progress[c.pk],
                    upcoming.get(c.pk, []),
                    new.get(c.pk, []),
                    new_counts.get(c.pk, 0),
                    due,
                    changed.get(c.pk, []),
                )
            )
    return {
        "cards": cards,
        "other_curricula": other_curricula(ids),
        "recent_notes": recent_notes(user),
    }


def new_entries(
    enrollments: list[Enrollment], count: int = 3
) -> tuple[dict[int, list[NextEntry]], dict[int, int]]:
    """Curriculum id → the first `count` entries added after I started following it (as
    is_new_for decides), in list order, and how many there are: one query."""
    if not enrollments:
        return {}, {}
    match = Q(pk__in=[])
    for e in enrollments:
        match |= Q(curriculum_id=e.curriculum_id) & (
            Q(introduced_in__created_at__gt=e.started_at) | Q(added_on__gt=e.started_at.date())
        )
    rows = (
        Entry.objects.active()
        .filter(match)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("curriculum_id")], order_by=[F("position"), F("pk")]
            ),
            total=Window(Count("pk"), partition_by=[F("curriculum_id")]),
        )
        .filter(rank__lte=count)
        .order_by("curriculum_id", "rank")
        .values_list("pk", "curriculum_id", "title", "role", "total")
    )
    found: dict[int, list[NextEntry]] = {}
    counts: dict[int, int] = {}
    for pk, curriculum_id, title, role, total in rows:
        found.setdefault(curriculum_id, []).append(NextEntry(pk, curriculum_id, title, role))
        counts[curriculum_id] = total
    return found, counts


class NextEntry(NamedTuple):
    pk: int
    curriculum_id: int
    title: str
    role: str


def next_entries(
    user: Any,
    curriculum_ids: Iterable[int],
    count: int = 5,
    *,
    wanted: dict[int, rules.Missing | None] | None = None,
) -> dict[int, list]:
    """Curriculum id → the first `count` required entries this person has not finished, in
    reading order: what home() picks from every entry (it needs them all for progress), here
    in one query that returns only those, for pages that show nothing else of the entries.
    tests/notes/test_next_entries.py holds the two side by side.

    `wanted` (rules.missing of each curriculum's progress) follows the completion rule: under
    "core + practitioner + summary" only what a tier still lacks is next (its practitioner
    source once a core one is read), then the next tier."""
    ids = list(curriculum_ids)
    closed = Progress.objects.filter(user=user, status__in=CLOSED)
    whole = [c for c in ids if not (wanted or {}).get(c)]
    scope = Q(curriculum_id__in=whole)
    groups = 0
    for c_id, want in (wanted or {}).items():
        for tier_id, roles in want.groups if want else ():
            group = Q(curriculum_id=c_id, tier_id=tier_id)
            scope |= group & Q(role__in=roles) if roles else group
            groups += 1
    if not whole and not groups:
        # Every list asks only for summaries: nothing to read is next. Compiling the query
        # below only to find it empty costs more than most of a page (~5 ms).
        return {}
    by_tier = Q(curriculum__reading_order=Curriculum.ReadingOrder.BY_TIER)
    last = Value(1 << 30)

    def when_by_tier(value: Any) -> Case:
        return Case(When(by_tier, then=value), default=Value(0))

    order = [
        when_by_tier(Coalesce("tier__position", last)),
        when_by_tier(Coalesce("tier__number", Value(0))),
        when_by_tier(Coalesce("topic__position", last)),
        F("position"),
        F("pk"),
    ]
    rows = (
        Entry.objects.active()
        .filter(curriculum_id__in=ids)
        .filter(scope)
        .exclude(role=Entry.Role.OPTIONAL)
        .filter(Q(tier__isnull=True) | Q(tier__optional=False))
        # Linked entries share progress through their paper; link-less ones have their own.
        .exclude(Exists(closed.filter(resource_id=OuterRef("resource_id"))))
        .exclude(
            Q(resource__isnull=True)
            & Exists(closed.filter(resource__isnull=True, entry_id=OuterRef("pk")))
        )
        .annotate(rank=Window(RowNumber(), partition_by=[F("curriculum_id")], order_by=order))
        .filter(rank__lte=count)
        .order_by("curriculum_id", "rank")
        .values_list("pk", "curriculum_id", "title", "role")
    )
    out: dict[int, list] = {}
    for row in rows:
        out.setdefault(row[1], []).append(NextEntry(*row))
    return out


def my_notes(user: Any, curriculum: Curriculum | None = None) -> QuerySet[Note]:
    qs = (
        Note.objects.filter(user=user)
        .select_related("entry__curriculum", "resource", "tier", "topic", "curriculum")
        .defer("resource__abstract", "entry__excerpt", "curriculum__guidance")
        .order_by("-updated_at")
    )
    if curriculum is not None:
        qs = qs.filter(
            Q(
                kind=Note.Kind.RESOURCE,
                resource_id__in=Entry.objects.filter(curriculum=curriculum).values("resource_id"),
            )
            | Q(curriculum=curriculum)
        )
    return qs


# What recent_notes reads of each note, and of what it is about (what Note.title needs).
_RECENT = {
    "note": ("id", "kind", "visibility", "updated_at", "entry_id", "resource_id", "tier_id",
             "topic_id"),
    "entry": ("title",),
    "resource": ("title", "url"),
    "tier": ("label", "title"),
    "topic": ("title",),
}  # fmt: skip


@functools.cache
def _recent_notes_query() -> tuple[str, list]:
    """recent_notes' SQL, written once per process: my latest notes first (LIMIT on the
    (user, -updated_at) index), then what each is about, a scalar subquery per column. The
    ORM's four LEFT JOINs took ~0.65 ms of PostgreSQL's planning and ~5 ms of compiling on
    every home page; this plans in ~0.2 ms."""

    def wanted(model: Any, names: tuple[str, ...]) -> list[Any]:
        # In the model's order, as Model.from_db expects a subset of the fields.
        return [f for f in model._meta.concrete_fields if f.name in names or f.attname in names]

    note = Note._meta
    fields = [(Note, wanted(Note, _RECENT["note"]))]
    columns = [f"n.{f.column}" for f in fields[0][1]]
    for relation in ("entry", "resource", "tier", "topic"):
        model = note.get_field(relation).related_model
        table = model._meta.db_table
        wanted_here = wanted(model, _RECENT[relation])
        key = note.get_field(relation).column
        for f in wanted_here:
            columns.append(f"(SELECT x.{f.column} FROM {table} x WHERE x.id = n.{key})")  # noqa: S608
        fields.append((model, wanted_here))
    inner = ", ".join(columns[: len(fields[0][1])])
    sql = f"""
        SELECT {", ".join(columns)}
        FROM (SELECT {inner} FROM {note.db_table} n WHERE n.user_id = %s
              ORDER BY n.updated_at DESC, n.id DESC LIMIT %s) n
        ORDER BY n.updated_at DESC, n.id DESC
    """  # noqa: S608  (table and column names from the models; values are parameters)
    shapes = [
        (
            model,
            [f.attname for f in chosen],
            [
                (
                    f,
                    f.get_db_converters(connection)
                    + connection.ops.get_db_converters(f.get_col(model._meta.db_table)),
                )
                for f in chosen
            ],
        )
        for model, chosen in fields
    ]
    return sql, shapes


def recent_notes(user: Any, count: int = 5) -> list[Note]:
    """My latest notes with what their titles need (Note.title), as select_related would
    attach it, in one query of plain SQL (_recent_notes_query says why)."""
    sql, shapes = _recent_notes_query()
    with sql_cursor() as cursor:
        cursor.execute(sql, [user.pk, count])
        rows = cursor.fetchall()
    (note_model, note_names, note_conv), *related = shapes
    notes = []
    for row in rows:
        at = len(note_names)
        note = _instance(note_model, note_names, note_conv, row[:at])
        for relation, (model, names, converters) in zip(
            ("entry", "resource", "tier", "topic"), related, strict=True
        ):
            values = row[at : at + len(names)]
            at += len(names)
            key = getattr(note, f"{relation}_id")
            obj = None
            if key is not None:
                values = [
                    _convert(v, f, funcs) for v, (f, funcs) in zip(values, converters, strict=True)
                ]
                obj = model.from_db(connection.alias, ["id", *names], [key, *values])
            setattr(note, relation, obj)
        notes.append(note)
    return notes


def my_note(user: Any, lookup: dict[str, Any]) -> Note | None:
    return Note.objects.filter(user=user, **lookup).first()


def is_enrolled(user: Any, curriculum: Curriculum) -> bool:
    return Enrollment.objects.filter(user=user, curriculum=curriculum).exists()


def _note_index(rows: Any) -> NoteIndex:
    """(pk, kind, resource, entry, tier, topic) rows → a NoteIndex."""
    index = NoteIndex()
    for pk, kind, resource_id, entry_id, tier_id, topic_id in rows:
        if kind == Note.Kind.RESOURCE:
            index.by_resource[resource_id] = pk
        elif kind == Note.Kind.ENTRY:
            index.by_entry[entry_id] = pk
        elif kind == Note.Kind.TIER:
            index.tiers[tier_id] = pk
        else:
            index.topics[topic_id] = pk
    return index


def work_counts(*, resource_ids: list[int], entry_ids: list[int]) -> dict[str, dict[int, dict]]:
    """People who finished, wrote about, or have any status on each resource or link-less
    entry (for the catalogue's import preview, through curricula.hooks): four queries."""
    out: dict[str, dict[int, dict]] = {"resource": {}, "entry": {}}
    for kind, ids in (("resource", resource_ids), ("entry", entry_ids)):
        if not ids:
            continue
        key = f"{kind}_id"
        people: dict[int, set[int]] = {}
        counts: dict[int, dict[str, int]] = {}
        for row in Progress.objects.filter(**{f"{key}__in": ids}).values(key, "user_id", "status"):
            target = row[key]
            counts.setdefault(target, {"done": 0, "notes": 0, "people": 0})
            people.setdefault(target, set()).add(row["user_id"])
            if row["status"] == Status.DONE:
                counts[target]["done"] += 1
        note_kind = Note.Kind.RESOURCE if kind == "resource" else Note.Kind.ENTRY
        notes = Note.objects.filter(kind=note_kind, **{f"{key}__in": ids}).exclude(body="")
        for row in notes.values(key, "user_id"):
            target = row[key]
            counts.setdefault(target, {"done": 0, "notes": 0, "people": 0})
            people.setdefault(target, set()).add(row["user_id"])
            counts[target]["notes"] += 1
        for target, found in counts.items():
            found["people"] = len(people[target])
        out[kind] = counts
    return out


def my_notes_within(user: Any, target: Any) -> list[Note]:
    """My notes on the entries of a tier or topic (a NoteTarget), in the list's order: shown
    beside the summary I write of it. Two queries."""
    where = {"tier": target.tier} if target.tier is not None else {"topic": target.topic}
    entries = list(
        Entry.objects.active()
        .filter(curriculum=target.curriculum, **where)
        .order_by("position")
        .values_list("pk", "resource_id", "title")
    )
    order = {}
    for i, (pk, resource_id, _) in enumerate(entries):
        order.setdefault(("r", resource_id) if resource_id else ("e", pk), i)
    resources = [r for _, r, _ in entries if r]
    linkless = [pk for pk, r, _ in entries if not r]
    notes = (
        Note.objects.filter(user=user)
        .filter(
            Q(kind=Note.Kind.RESOURCE, resource_id__in=resources)
            | Q(kind=Note.Kind.ENTRY, entry_id__in=linkless)
        )
        .exclude(body="")
        .select_related("entry", "resource")
    )
    return sorted(
        notes,
        key=lambda n: order.get(("r", n.resource_id) if n.resource_id else ("e", n.entry_id), 0),
    )


def _columns(model: Any, alias: str) -> tuple[str, list[str], list[tuple[Any, list]]]:
    """A model's columns under a table alias, its attribute names, and each field's
    converters from database values (JSON decoding), for building instances from a row."""
    fields = model._meta.concrete_fields
    sql = ", ".join(f'{alias}."{f.column}"' for f in fields)
    converters = [
        (f, f.get_db_converters(connection) + connection.ops.get_db_converters(f.get_col(alias)))
        for f in fields
    ]
    return sql, [f.attname for f in fields], converters


def _instance(model: Any, names: list[str], converters: list, values: Any) -> Any:
    values = [
        _convert(value, field, funcs)
        for value, (field, funcs) in zip(values, converters, strict=True)
    ]
    if values[0] is None:  # a LEFT JOIN that found nothing
        return None
    return model.from_db(connection.alias, names, values)


def _convert(value: Any, field: Any, funcs: list) -> Any:
    for func in funcs:
        value = func(value, field, connection)
    return value


def _from_json(model: Any, data: dict[str, Any] | None) -> Any:
    """A model instance from its row as PostgreSQL's to_jsonb gives it (None for no row):
    each value through its field's to_python, as a form would read it (JSON fields come
    decoded already)."""
    if data is None:
        return None
    fields = model._meta.concrete_fields
    values = [f.to_python(data[f.column]) for f in fields]
    return model.from_db(connection.alias, [f.attname for f in fields], values)


@functools.cache
def _entry_page_query(as_json: bool) -> tuple[str, list]:
    """The entry page's SQL, written once per process: the ORM took ~6 ms of a 14 ms page to
    compile the same query on every request.

    On PostgreSQL (`as_json`) only the entries and their curricula are joined; the entry's
    paper, tier and topic come as to_jsonb of a row each, from subqueries that only the entry
    itself runs: joined, the five tables cost PostgreSQL ~0.7 ms to plan, more than the rest
    of the query (round trip 1.5 ms before, 0.7 ms after, on bench/pages.py's data). SQLite
    has no to_jsonb: there they are joined."""
    joined = [(Resource, "r", "resource_id"), (Tier, "ti", "tier_id"), (Topic, "tp", "topic_id")]
    parts = [(Entry, "e"), (Curriculum, "c")]
    if not as_json:
        parts += [(model, alias) for model, alias, _ in joined]
    shapes = [(model, *_columns(model, alias)) for model, alias in parts]
    columns = [cols for _, cols, _, _ in shapes]
    joins = ""
    for model, alias, key in joined:
        table = model._meta.db_table
        if as_json:
            row = f"SELECT to_jsonb({alias}) FROM {table} {alias} WHERE {alias}.id = e.{key}"  # noqa: S608
            columns.append(f"CASE WHEN e.id = %(pk)s THEN ({row}) END")
        else:
            joins += f" LEFT JOIN {table} {alias} ON {alias}.id = e.{key}"
    progress = Progress._meta.db_table
    sql = f"""
        SELECT {", ".join(columns)},
          CASE WHEN e.id <> %(pk)s THEN NULL
            WHEN e.resource_id IS NOT NULL
            THEN (SELECT p.status FROM {progress} p
                  WHERE p.user_id = %(user)s AND p.resource_id = e.resource_id LIMIT 1)
            ELSE (SELECT p.status FROM {progress} p
                  WHERE p.user_id = %(user)s AND p.resource_id IS NULL AND p.entry_id = e.id
                  LIMIT 1)
          END
        FROM {Entry._meta.db_table} e
        JOIN {Curriculum._meta.db_table} c ON c.id = e.curriculum_id{joins}
        WHERE e.id = %(pk)s OR (e.retired_in_id IS NULL AND e.resource_id =
          (SELECT x.resource_id FROM {Entry._meta.db_table} x WHERE x.id = %(pk)s))
        ORDER BY c.title, e.position
    """  # noqa: S608  (table and column names from the models; values are parameters)
    return sql, [(model, names, converters) for model, _, names, converters in shapes]


def _from_json(model: Any, text: str | None) -> Any:
    """A model instance from its row as PostgreSQL's to_jsonb gives it (None for no row):
    each value through its field's to_python (JSON fields come decoded with the row)."""
    if text is None:
        return None
    data = orjson.loads(text)
    fields = model._meta.concrete_fields
    values = [f.to_python(data[f.column]) for f in fields]
    return model.from_db(connection.alias, [f.attname for f in fields], values)


class EntryPage(NamedTuple):
    entry: Entry
    status: str
    elsewhere: list[Entry]


def entry_page(user: Any, slug: str, pk: int) -> EntryPage | None:
    """The entry `pk` of curriculum `slug` with its paper, tier, topic and my status on it, and
    the other active entries that point at the same paper ("Also in", each with its
    curriculum), in one query; None when there is no such entry in that curriculum.

    "id = %s OR resource_id = (the entry's)" is two index scans ORed in a bitmap; the slug is
    checked on the row that comes back (a condition on the joined curriculum in the OR, or
    "resource_id IN (…)", makes PostgreSQL read every entry)."""
    as_json = connection.vendor == "postgresql"
    sql, shapes = _entry_page_query(as_json)
    with sql_cursor() as cursor:
        cursor.execute(sql, {"pk": pk, "user": user.pk})
        rows = cursor.fetchall()
    item, status, elsewhere = None, None, []
    for row in rows:
        objects, start = [], 0
        for model, names, converters in shapes:
            end = start + len(names)
            objects.append(_instance(model, names, converters, row[start:end]))
            start = end
        entry, entry.curriculum = objects[0], objects[1]
        if entry.pk != pk:
            elsewhere.append(entry)
            continue
        item, status = entry, row[-1]
        if as_json:
            related = zip((Resource, Tier, Topic), row[start:-1], strict=True)
            objects[2:] = [_from_json(model, value) for model, value in related]
        item.resource, item.tier, item.topic = objects[2:]
    if item is None or item.curriculum.slug != slug:
        return None
    for entry in elsewhere:  # on the same paper
        entry.resource = item.resource
    return EntryPage(item, status or Status.TO_READ, elsewhere)


@functools.cache
def _notes_on_entry_query(linked: bool) -> tuple[str, list]:
    """notes_on_entry's SQL, written once per process (one for a linked entry, one for a
    link-less one): compiling it with the ORM (Case/When for the order, access's subqueries)
    took ~7 ms of an ~19 ms entry page, for a query PostgreSQL runs in under 1 ms.

    Who may read which note is notes.access.readable_notes_q written out: mine, and
    team-visible notes of anyone who shares a team with me (tests/notes/test_entry_page.py
    holds the two equal, as notes.resurfacing's tests do for its copy)."""
    from django.contrib.auth import get_user_model

    from teams.models import Membership  # teams builds on notes, not the other way round

    User = get_user_model()
    shapes = [(model, *_columns(model, alias)) for model, alias in ((Note, "n"), (User, "u"))]
    on = "n.resource_id" if linked else "n.entry_id"
    membership = Membership._meta.db_table
    sql = f"""
        SELECT {", ".join(cols for _, cols, _, _ in shapes)}
        FROM {Note._meta.db_table} n
        JOIN {User._meta.db_table} u ON u.id = n.user_id
        WHERE n.kind = %s AND {on} = %s
          AND (n.user_id = %s OR (n.visibility = %s AND n.body <> '' AND n.user_id <> %s
            AND n.user_id IN (SELECT t.user_id FROM {membership} t WHERE t.team_id IN (
              SELECT m.team_id FROM {membership} m WHERE m.user_id = %s))))
        ORDER BY CASE WHEN n.user_id = %s THEN 0 ELSE 1 END, n.updated_at DESC, n.id DESC
        LIMIT %s
    """  # noqa: S608  (table and column names from the models; values are parameters)
    return sql, [(model, names, converters) for model, _, names, converters in shapes]


def notes_on_entry(user: Any, entry: Any, limit: int = 50) -> tuple[Note | None, list[Note]]:
    """My note on an entry (on its resource when it has one) and up to `limit` notes with text
    others shared with my team on it, newest first, each with its author, in one query."""
    if not getattr(user, "is_authenticated", False):
        return None, []
    linked = bool(entry.resource_id)
    sql, shapes = _notes_on_entry_query(linked)
    kind, target = (
        (Note.Kind.RESOURCE.value, entry.resource_id)
        if linked
        else (Note.Kind.ENTRY.value, entry.pk)
    )
    params = [kind, target, user.pk, Note.Visibility.TEAM.value, user.pk, user.pk, user.pk]
    with sql_cursor() as cursor:
        # Mine first, so the limit never cuts it off.
        cursor.execute(sql, [*params, limit + 1])
        rows = cursor.fetchall()
    (note_model, note_names, note_conv), (user_model, user_names, user_conv) = shapes
    notes = []
    split = len(note_names)
    for row in rows:
        note = _instance(note_model, note_names, note_conv, row[:split])
        note.user = _instance(user_model, user_names, user_conv, row[split:])
        notes.append(note)
    if notes and notes[0].user_id == user.pk:
        return notes[0], notes[1 : limit + 1]
    return None, notes[:limit]


@functools.cache
def _curriculum_query() -> tuple[str, list[str], list]:
    sql, names, converters = _columns(Curriculum, "c")
    table = Curriculum._meta.db_table
    return f"SELECT {sql} FROM {table} c WHERE c.slug = %s", names, converters  # noqa: S608


def curriculum_by_slug(slug: str) -> Curriculum | None:
    """The curriculum page's first read, in SQL written once per process: compiling
    `Curriculum.objects.get(slug=…)` took ~0.5 ms of CPU on every view of the page."""
    sql, names, converters = _curriculum_query()
    with sql_cursor() as cursor:
        cursor.execute(sql, [slug])
        row = cursor.fetchone()
    return None if row is None else _instance(Curriculum, names, converters, row)
