"""Tallies: the counts managers' pages read, kept in step with every change they count.

A team's dashboard needs, per person × curriculum, the active entries done in each tier and
role, when a status last changed, the notes shared with the team and the tiers summarised, and
how many entries were finished each week. Counted from the rows, that is a join over every
progress row and note of the team on each view (~100,000 rows, most of the page's time in
bench/dashboard.py); ProgressTally (a line per person and curriculum) and WeekTally hold the
result instead.

They are derived data, recounted (never incremented) for just the part a change touches:
- a Progress saved or deleted: that person, in the curricula that list what it points at;
- an Entry created, moved (curriculum, tier, role), relinked, retired or deleted: the people
  with progress on it, in its curricula; a Tier deleted: its curriculum;
- a Note saved, or deleted other than with its writer or curriculum: that person there;
- a curriculum's completion rule, or a tier's place or optional flag, changed: that curriculum
  (each line also holds what the rule makes of its counts, for the dashboard to sort by);
- writes that bypass model signals (the importer's bulk SQL) send
  curricula.signals.entries_changed, and bulk loaders (benchmarks, fixtures) call refresh().
`manage.py tallies --check` and a nightly task compare them with a fresh count and repair any
difference, so a write path missed here shows up in the logs instead of on a dashboard.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, DateField, F, Max, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from curricula.models import Curriculum, Entry, Tier
from notes.models import Note, Progress, ProgressTally, Status, WeekTally

log = logging.getLogger(__name__)

# Ids, a values() queryset of ids (run as a subquery), or None for "all".
Scope = Iterable[int] | QuerySet | None

# What an entry's tallies depend on; other edits (title, why, position) leave them alone.
ENTRY_FIELDS = ("curriculum_id", "tier_id", "role", "resource_id", "retired_in_id")


def _joined(users: Scope, curricula: Scope, **progress: Any) -> list[tuple[str, QuerySet]]:
    """Active entries joined to progress rows as notes.selectors reads them: on the resource
    when the entry has one (a paper counts wherever it is listed), else on the entry itself.

    All conditions on the progress side go in one filter() so they share one join."""
    halves = []
    for via, own in (("resource__progress", {}), ("progress", {"resource__isnull": True})):
        where: dict[str, Any] = {f"{via}__isnull": False, **own}
        where.update({f"{via}__{lookup}": value for lookup, value in progress.items()})
        if users is not None:
            where[f"{via}__user_id__in"] = users
        if curricula is not None:
            where["curriculum_id__in"] = curricula
        halves.append(
            (via, Entry.objects.active().filter(**where).annotate(person=F(f"{via}__user_id")))
        )
    return halves


def _union(parts: list[QuerySet]) -> tuple[str, tuple]:
    sql, params = parts[0].union(parts[1], all=True).query.sql_with_params()
    return sql, tuple(params)


def tier_rows_sql(users: Scope = None, curricula: Scope = None) -> tuple[str, tuple]:
    """SELECT user, curriculum, tier, role, done, latest change: a fresh count."""
    parts = [
        qs.values("person", "curriculum_id", "tier_id", "role")
        .annotate(
            done=Count("id", filter=Q(**{f"{via}__status": Status.DONE})),
            changed=Max(f"{via}__updated_at"),
        )
        .order_by()
        for via, qs in _joined(users, curricula)
    ]
    sql, params = _union(parts)
    return (
        "SELECT person, curriculum_id, tier_id, role, SUM(done), MAX(changed) "  # noqa: S608
        f"FROM ({sql}) AS counted GROUP BY person, curriculum_id, tier_id, role",
        params,
    )


def week_rows_sql(users: Scope = None, curricula: Scope = None) -> tuple[str, tuple]:
    """SELECT user, curriculum, week (Monday, in the site's time zone), entries finished."""
    parts = [
        qs.annotate(week=TruncWeek(f"{via}__finished_at", output_field=DateField()))
        .values("person", "curriculum_id", "week")
        .annotate(done=Count("id"))
        .order_by()
        for via, qs in _joined(users, curricula, status=Status.DONE, finished_at__isnull=False)
    ]
    sql, params = _union(parts)
    return (
        "SELECT person, curriculum_id, week, SUM(done) "  # noqa: S608
        f"FROM ({sql}) AS counted GROUP BY person, curriculum_id, week",
        params,
    )


def group_key(tier_id: int | None, role: str) -> str:
    """How ProgressTally.done names a (tier, role) group: JSON keys are strings."""
    return f"{tier_id or ''}:{role}"


def _ids(scope: Scope) -> Any:
    if scope is None or isinstance(scope, QuerySet):
        return scope
    return sorted(set(scope))


# The fields of a ProgressTally line that the counting fills, in this order.
LINE_FIELDS = ("done", "changed_at", "notes", "noted_at", "summaries")
# And those that the curriculum's completion rule makes of them (progress_figures).
PROGRESS_FIELDS = ("finished", "steps_done", "steps_total", "percent", "current_tier_id")


def _fresh(users: Scope, curricula: Scope) -> dict[tuple[int, int], tuple]:
    """(user, curriculum) → the LINE_FIELDS of its ProgressTally line, counted from the rows."""
    progress: dict[tuple[int, int], tuple[dict, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(*tier_rows_sql(users, curricula))
        for user_id, curriculum_id, tier_id, role, done, changed in cursor.fetchall():
            counts, latest = progress.get((user_id, curriculum_id), ({}, None))
            if done:
                counts[group_key(tier_id, role)] = int(done)
            changed = aware(changed)
            if latest is None or (changed is not None and changed > latest):
                latest = changed
            progress[(user_id, curriculum_id)] = (counts, latest)
    noted = _noted(users, curricula)
    nothing: tuple = ({}, None)
    return {
        key: (*progress.get(key, nothing), *noted.get(key, (0, None, {})))
        for key in progress.keys() | noted.keys()
    }


def progress_figures(lines: dict[tuple[int, int], tuple]) -> dict[tuple[int, int], tuple]:
    """(user, curriculum) → the PROGRESS_FIELDS of each line given as LINE_FIELDS: the same
    Cell notes.progress gives the member's pages (two queries for the curricula's shapes)."""
    from notes.progress import Line, cell_of, shapes_of_ids

    if not lines:
        return {}
    shape_of = shapes_of_ids({c for _, c in lines})
    memo: dict = {}
    out = {}
    for (user_id, curriculum_id), fields in lines.items():
        line = Line(*fields)
        cell = cell_of(shape_of[curriculum_id], line, memo)
        tier = cell.current_tier
        out[(user_id, curriculum_id)] = (
            sum(line.done.values()),
            cell.done,
            cell.total,
            cell.percent,
            tier.pk if tier is not None else None,
        )
    return out


def _noted(users: Scope, curricula: Scope) -> dict[tuple[int, int], tuple[int, Any, dict]]:
    """(user, curriculum) → notes shared with the team (with a body), when the latest of them
    was saved, and the tiers and topics summarised (the summary step of the first completion
    rule, whoever may read the summary).

    Managers read these lines: a private note is nobody else's business, not even its count or
    when it was written (their timeline hides it too). A private summary still counts towards
    the completion rule, as it does on the member's own page: that says a tier is done, never
    what was written.
    """
    rows = Note.objects.exclude(body="").filter(curriculum__isnull=False)
    rows = rows.filter(
        Q(visibility=Note.Visibility.TEAM) | Q(tier__isnull=False) | Q(topic__isnull=False)
    )
    if users is not None:
        rows = rows.filter(user_id__in=users)
    if curricula is not None:
        rows = rows.filter(curriculum_id__in=curricula)
    found: dict[tuple[int, int], list] = {}
    for user_id, curriculum_id, tier_id, topic_id, saved, visibility in rows.values_list(
        "user_id", "curriculum_id", "tier_id", "topic_id", "updated_at", "visibility"
    ).order_by():
        line = found.setdefault((user_id, curriculum_id), [0, None, set(), set()])
        if visibility == Note.Visibility.TEAM:
            line[0] += 1
            if line[1] is None or saved > line[1]:
                line[1] = saved
        if tier_id:
            line[2].add(tier_id)
        if topic_id:
            line[3].add(topic_id)
    return {
        key: (n, saved, summary(tiers, topics)) for key, (n, saved, tiers, topics) in found.items()
    }


def summary(tiers: Iterable[int], topics: Iterable[int]) -> dict[str, list[int]]:
    """ProgressTally.summaries: sorted ids, and no key for an empty list, so that equal
    summaries compare equal."""
    out = {"tiers": sorted(tiers), "topics": sorted(topics)}
    return {k: v for k, v in out.items() if v}


def refresh(*, users: Scope = None, curricula: Scope = None) -> None:
    """Recount the tallies of these people (everyone when None) in these curricula (all when
    None), in the caller's transaction when there is one."""
    users, curricula = _ids(users), _ids(curricula)
    if users == [] or curricula == []:
        return
    scope: dict[str, Any] = {}
    if users is not None:
        scope["user_id__in"] = users
    if curricula is not None:
        scope["curriculum_id__in"] = curricula
    quote = connection.ops.quote_name
    # No savepoint: a failure here fails the caller's write with it, which is what we want.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        _lock(cursor)
        ProgressTally.objects.filter(**scope).delete()
        fresh = _fresh(users, curricula)
        figures = progress_figures(fresh)
        ProgressTally.objects.bulk_create(
            [
                ProgressTally(
                    user_id=u,
                    curriculum_id=c,
                    **dict(zip(LINE_FIELDS, line, strict=True)),
                    **dict(zip(PROGRESS_FIELDS, figures[(u, c)], strict=True)),
                )
                for (u, c), line in fresh.items()
            ],
            batch_size=1000,
        )
        WeekTally.objects.filter(**scope).delete()
        sql, params = week_rows_sql(users, curricula)
        columns = ", ".join(quote(c) for c in ("user_id", "curriculum_id", "week", "done"))
        cursor.execute(f"INSERT INTO {quote(WeekTally._meta.db_table)} ({columns}) {sql}", params)


def refigure(curricula: Iterable[int]) -> None:
    """Apply the completion rule again to every stored line of these curricula, after a change
    to what they list: an entry added, moved or retired changes the steps of everyone who
    follows the curriculum, not only of the people who read it. Reads the lines, never the
    progress rows; writes only the lines whose figures changed."""
    ids = sorted(set(curricula))
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        _lock(cursor)
        rows = ProgressTally.objects.filter(curriculum_id__in=ids).values_list(
            "pk", "user_id", "curriculum_id", *LINE_FIELDS, *PROGRESS_FIELDS
        )
        n = len(LINE_FIELDS)
        pks, lines, stored = {}, {}, {}
        for pk, user_id, curriculum_id, *fields in rows:
            key = (user_id, curriculum_id)
            pks[key], lines[key], stored[key] = pk, tuple(fields[:n]), tuple(fields[n:])
        changed = [
            ProgressTally(pk=pks[key], **dict(zip(PROGRESS_FIELDS, figures, strict=True)))
            for key, figures in progress_figures(lines).items()
            if figures != stored[key]
        ]
        ProgressTally.objects.bulk_update(changed, PROGRESS_FIELDS, batch_size=500)


def refresh_notes(user_id: int, curriculum_id: int, *, summary: bool = False) -> None:
    """Recount one person's notes in one curriculum (what saving a note changes), leaving the
    progress counts alone: three queries, where refresh() takes nine. A `summary` (a tier's or
    topic's note) can change what the completion rule makes of the line, and a new line needs
    the rule's figures too: both take the whole recount."""
    if summary:
        refresh(users=[user_id], curricula=[curriculum_id])
        return
    key = (user_id, curriculum_id)
    lines = ProgressTally.objects.filter(user_id=user_id, curriculum_id=curriculum_id)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # Counted once the lock is ours, so the notes of a save that held it first are seen.
        _lock(cursor)
        found = _noted([user_id], [curriculum_id]).get(key)
        n, saved, summarised = found or (0, None, {})
        if lines.update(notes=n, noted_at=saved, summaries=summarised):
            if found is None:
                # A line only there for notes goes with the last of them, as in a recount.
                lines.filter(changed_at__isnull=True).delete()
        elif found is not None:
            refresh(users=[user_id], curricula=[curriculum_id])


def _lock(cursor: Any) -> None:
    """One recount at a time: two of the same person could otherwise interleave their delete
    and insert. Each takes milliseconds; readers are not blocked. SQLite has a single writer."""
    if connection.vendor == "postgresql":
        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table) for m in (ProgressTally, WeekTally)
        )
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


# --- Checking ---------------------------------------------------------------------------------


def aware(value: Any) -> Any:
    """A timestamp from a raw cursor (SQLite hands back text) as an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _day(value: Any) -> dt.date:
    """A week from a raw cursor: text on SQLite, a timestamp on PostgreSQL."""
    if isinstance(value, str):
        return parse_date(value[:10])  # type: ignore[return-value]
    return value.date() if isinstance(value, dt.datetime) else value


def drift() -> dict[str, int]:
    """Lines of each tally that differ from a fresh count (all zero when in step)."""
    counted = _fresh(None, None)
    figures = progress_figures(counted)
    fresh = {key: (*line, *figures[key]) for key, line in counted.items()}
    stored = {
        (u, c): tuple(line)
        for u, c, *line in ProgressTally.objects.values_list(  # type: ignore[misc]
            "user_id", "curriculum_id", *LINE_FIELDS, *PROGRESS_FIELDS
        )
    }
    keys = fresh.keys() | stored.keys()
    with connection.cursor() as cursor:
        cursor.execute(*week_rows_sql())
        weeks = {(u, c, _day(w), int(n)) for u, c, w, n in cursor.fetchall()}
    kept = list(WeekTally.objects.values_list("user_id", "curriculum_id", "week", "done"))
    return {
        "ProgressTally": sum(fresh.get(k) != stored.get(k) for k in keys),
        "WeekTally": len(weeks.symmetric_difference(kept)) + len(kept) - len(set(kept)),
    }


def repair() -> dict[str, int]:
    """Recount everything when anything drifted; returns what drifted."""
    found = drift()
    if any(found.values()):
        log.warning("Tallies had drifted from the progress rows (%s); recounted.", found)
        refresh()
    return found


# --- Keeping in step (connected in notes.apps) ------------------------------------------------


def _direct(origin: Any, model: type) -> bool:
    """A delete started on this model, not cascaded from a person or curriculum (whose tallies
    go with them) or from an entry (which recounts its own)."""
    if origin is None:
        return True
    if isinstance(origin, QuerySet):
        return origin.model is model
    return isinstance(origin, model)


def _people_on(resource_ids: Iterable[int | None], entry_id: int | None) -> QuerySet:
    return Progress.objects.filter(
        Q(resource_id__in=[r for r in resource_ids if r]) | Q(entry_id=entry_id)
    ).values("user_id")


def progress_saved(sender: Any, instance: Progress, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    target = (
        {"resource_id": instance.resource_id} if instance.resource_id else {"pk": instance.entry_id}
    )
    refresh(
        users=[instance.user_id], curricula=Entry.objects.filter(**target).values("curriculum_id")
    )


def progress_deleted(sender: Any, instance: Progress, origin: Any = None, **kwargs: Any) -> None:
    if _direct(origin, Progress):
        progress_saved(sender, instance)


def note_saved(sender: Any, instance: Note, raw: bool = False, **kwargs: Any) -> None:
    if not raw and instance.curriculum_id is not None:
        summary = instance.tier_id is not None or instance.topic_id is not None
        refresh_notes(instance.user_id, instance.curriculum_id, summary=summary)


def note_deleted(sender: Any, instance: Note, origin: Any = None, **kwargs: Any) -> None:
    # With its writer or its curriculum, the tally lines go too; any other cascade (a tier, a
    # topic, an entry, a source deleted) leaves them to recount.
    gone_with = get_user_model(), Curriculum
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if not issubclass(model, gone_with):
        note_saved(sender, instance)


def entry_before_save(sender: Any, instance: Entry, raw: bool = False, **kwargs: Any) -> None:
    """Remember what the tallies counted this entry as, to recount only on a real change."""
    fields = kwargs.get("update_fields")
    relevant = fields is None or bool(
        {f.removesuffix("_id") for f in fields} & {f.removesuffix("_id") for f in ENTRY_FIELDS}
    )
    before = None
    if not raw and instance.pk is not None and relevant:
        before = Entry.objects.filter(pk=instance.pk).values_list(*ENTRY_FIELDS).first()
    instance._tally_before = (relevant, before)  # type: ignore[attr-defined]


def entry_saved(sender: Any, instance: Entry, raw: bool = False, **kwargs: Any) -> None:
    relevant, before = getattr(instance, "_tally_before", (True, None))
    now = tuple(getattr(instance, f) for f in ENTRY_FIELDS)
    if raw or not relevant or before == now:
        return
    old = dict(zip(ENTRY_FIELDS, before or now, strict=True))
    curricula = {old["curriculum_id"], instance.curriculum_id}
    refresh(
        users=_people_on({old["resource_id"], instance.resource_id}, instance.pk),
        curricula=curricula,
    )
    refigure(curricula)


def entry_deleted(sender: Any, instance: Entry, origin: Any = None, **kwargs: Any) -> None:
    # Its link-less progress went first (cascade), so everyone in the curriculum is recounted.
    if _direct(origin, Entry):
        refresh(curricula=[instance.curriculum_id])


def tier_deleted(sender: Any, instance: Tier, origin: Any = None, **kwargs: Any) -> None:
    # Its entries now have no tier; their lines under it went with it (cascade). Summaries of
    # it are kept (Note's SET_NULL, no signal) and no longer count as summarising it. Also
    # connected for Topic, whose summaries are kept the same way.
    if _direct(origin, type(instance)):
        refresh(curricula=[instance.curriculum_id])


def entries_changed(sender: Any, curriculum_ids: Iterable[int], **kwargs: Any) -> None:
    refresh(curricula=curriculum_ids)


# What the completion rule reads besides the entries: a curriculum's rule, its tiers' order
# and optional flags. Changed (in admin; the importer sends entries_changed), the lines of the
# curriculum are recounted; a new curriculum or tier has no lines to change.
RULE_FIELDS = {Curriculum: ("completion_rule",), Tier: ("optional", "position", "number")}


def rule_before_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    fields = RULE_FIELDS[sender]
    named = kwargs.get("update_fields")
    before = None
    if not raw and not instance._state.adding and (named is None or set(fields) & set(named)):
        before = sender.objects.filter(pk=instance.pk).values_list(*fields).first()
    instance._tally_rule_before = before


def rule_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    before = getattr(instance, "_tally_rule_before", None)
    if raw or before is None:
        return
    if before != tuple(getattr(instance, f) for f in RULE_FIELDS[sender]):
        refresh(curricula=[instance.pk if sender is Curriculum else instance.curriculum_id])
