"""Revisit what you read: notes on papers I finished about a week, a month and three months ago
come back on home and in the weekly digest, with "Still true" and "Edit" (spaced resurfacing,
as Readwise does with highlights).

Each interval is a window of seven days, so the weekly digest, whichever day it goes out, shows
every finished paper once per interval: 6-12 days ago ("about a week"), 27-33 ("a month") and
87-93 ("three months"; 91 days is 13 weeks). Counted in local days (TIME_ZONE) from the day the
paper was marked done. My own notes and the notes teammates shared on those papers come back,
never anyone's private note; summaries of tiers and topics do not (they are about no paper).
A note whose entry was retired still comes back: what I read and wrote stays mine.

The choice is deterministic: per interval my notes before teammates', earliest finished first,
then the note's id; the intervals take turns, three months ago first, up to SHOWN notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from curricula.models import Curriculum, Entry, Resource
from notes.models import Note, Progress, Reaffirmation, Status
from notes.search import plain_text
from readlist.sql import in_ids

Interval = Reaffirmation.Interval
# (interval, fewest days ago, most days ago), in the order they take turns.
WINDOWS: tuple[tuple[str, int, int], ...] = (
    (Interval.QUARTER, 87, 93),
    (Interval.MONTH, 27, 33),
    (Interval.WEEK, 6, 12),
)
SHOWN = 3
EXCERPT_CHARS = 240


@dataclass
class Resurfaced:
    note: Note
    interval: str
    finished_at: dt.datetime
    mine: bool
    excerpt: str

    @property
    def when(self) -> str:
        return Interval(self.interval).label

    @property
    def edit_url(self) -> str:
        """My note's editor on its entry's page (retired entries' pages keep it), or the note's
        own page when its entry was deleted."""
        entry = self.note.entry
        if entry is None:
            return reverse("notes:detail", args=[self.note.pk])
        return reverse("curricula:entry", args=[entry.curriculum.slug, entry.pk]) + "#my-note"

    @property
    def retired(self) -> bool:
        entry = self.note.entry
        return entry is not None and entry.retired_in_id is not None


def _bounds(today: dt.date, fewest: int, most: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the local days from `most` to `fewest` days before today."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(today - dt.timedelta(days=most), dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(today - dt.timedelta(days=fewest - 1), dt.time.min, tzinfo=zone)
    return start, end


def _excerpt(body: str) -> str:
    text = plain_text(body)
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text.rfind(" ", 0, EXCERPT_CHARS)
    return text[: cut if cut > EXCERPT_CHARS // 2 else EXCERPT_CHARS] + " …"


def _finished_in_windows(user: Any, today: dt.date) -> list[tuple[int | None, int | None]]:
    """(paper, link-less entry) of my progress finished in any window. Plain SQL: the ORM
    took ~0.9 ms to compile the three ORed ranges on every home page."""
    ranges, params = [], [user.pk, Status.DONE.value]
    adapt = connection.ops.adapt_datetimefield_value
    for _, fewest, most in WINDOWS:
        start, end = _bounds(today, fewest, most)
        ranges.append("(finished_at >= %s AND finished_at < %s)")
        params += [adapt(start), adapt(end)]
    sql = (
        f"SELECT resource_id, entry_id FROM {Progress._meta.db_table} "  # noqa: S608 - names
        f"WHERE user_id = %s AND status = %s AND ({' OR '.join(ranges)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# What a card reads, as select_related("user", "entry__curriculum", "resource") would, minus
# the long texts no card shows: (relation path from the note, model, SQL alias, left out).
def _joined() -> tuple[tuple[tuple[str, ...], Any, str, frozenset[str]], ...]:
    return (
        ((), Note, "n", frozenset()),
        (("user",), get_user_model(), "u", frozenset()),
        (("entry",), Entry, "e", frozenset({"excerpt"})),
        (("entry", "curriculum"), Curriculum, "c", frozenset({"guidance"})),
        (("resource",), Resource, "r", frozenset({"abstract"})),
    )


def _candidates_sql(
    user: Any, today: dt.date, papers: list[int], entries: list[int]
) -> tuple[str, list[Any], list[tuple[tuple[str, ...], Any, list[Any]]]]:
    """Each interval's first SHOWN notes on these papers and link-less entries (the ones I
    finished in a window), in the order pick() takes them, with their author, entry,
    curriculum and paper: the SQL, its parameters, and per joined model the fields it reads.

    Plain SQL rather than an ORM expression: built with FilteredRelation, Case, Exists and
    Window the same query cost ~26 ms of CPU to compile on every home page, more than
    PostgreSQL took to plan and run it. Who may read which note is access.readable_notes_q
    written out (my notes, and team-visible notes of anyone who shares a team with me); my
    progress is joined on the paper for a note on a paper, on the entry for a note on a
    link-less entry, as Progress is keyed; the notes are found through their paper's (or
    entry's) index, never by reading every note of the team."""
    from teams.models import Membership  # teams builds on notes, not the other way round

    quote = connection.ops.quote_name
    on, on_params = [], []
    if papers:
        test, ids = in_ids("n.resource_id", papers)
        on.append(f"(n.kind = %s AND {test})")
        on_params += [Note.Kind.RESOURCE, *ids]
    if entries:
        test, ids = in_ids("n.entry_id", entries)
        on.append(f"(n.kind = %s AND {test})")
        on_params += [Note.Kind.ENTRY, *ids]
    whens, when_params = [], []
    for interval, fewest, most in WINDOWS:
        start, end = _bounds(today, fewest, most)
        whens.append("WHEN f.finished_at >= %s AND f.finished_at < %s THEN %s")
        adapt = connection.ops.adapt_datetimefield_value
        when_params += [adapt(start), adapt(end), interval]
    joined = [
        (path, model, [f for f in model._meta.concrete_fields if f.name not in left_out], alias)
        for path, model, alias, left_out in _joined()
    ]
    selected = ", ".join(
        f"{alias}.{quote(f.column)}" for _, _, fields, alias in joined for f in fields
    )
    # Only model table and column names and placeholders are interpolated; values are params.
    sql = f"""
        WITH found AS (
            SELECT n.id,
                CASE WHEN n.kind = %s THEN pp.finished_at ELSE pe.finished_at END AS finished_at,
                CASE WHEN n.user_id = %s THEN 0 ELSE 1 END AS theirs
            FROM {Note._meta.db_table} n
            LEFT JOIN {Progress._meta.db_table} pp ON pp.resource_id = n.resource_id
                AND pp.user_id = %s AND pp.status = %s
            LEFT JOIN {Progress._meta.db_table} pe ON pe.entry_id = n.entry_id
                AND pe.user_id = %s AND pe.status = %s AND pe.resource_id IS NULL
            WHERE ({" OR ".join(on) or "1 = 0"}) AND n.body <> ''
                AND (n.user_id = %s OR (n.visibility = %s AND n.user_id IN (
                    SELECT t.user_id FROM {Membership._meta.db_table} t WHERE t.team_id IN (
                        SELECT m.team_id FROM {Membership._meta.db_table} m
                        WHERE m.user_id = %s))))
        ), windowed AS (
            SELECT f.*, CASE {" ".join(whens)} ELSE '' END AS interval_ FROM found f
        ), ranked AS (
            SELECT w.*, ROW_NUMBER() OVER (
                PARTITION BY w.interval_ ORDER BY w.theirs, w.finished_at, w.id) AS rank_
            FROM windowed w
            WHERE w.interval_ <> '' AND NOT EXISTS (
                SELECT 1 FROM {Reaffirmation._meta.db_table} a
                WHERE a.user_id = %s AND a.note_id = w.id AND a.{quote("interval")} = w.interval_)
        )
        SELECT {selected}, ranked.interval_, ranked.finished_at
        FROM ranked
        JOIN {Note._meta.db_table} n ON n.id = ranked.id
        JOIN {get_user_model()._meta.db_table} u ON u.id = n.user_id
        LEFT JOIN {Entry._meta.db_table} e ON e.id = n.entry_id
        LEFT JOIN {Curriculum._meta.db_table} c ON c.id = e.curriculum_id
        LEFT JOIN {Resource._meta.db_table} r ON r.id = n.resource_id
        WHERE ranked.rank_ <= %s
        ORDER BY ranked.theirs, ranked.finished_at, ranked.id
    """  # noqa: S608
    params = [
        Note.Kind.RESOURCE,
        user.pk,
        user.pk,
        Status.DONE,
        user.pk,
        Status.DONE,
        *on_params,
        user.pk,
        Note.Visibility.TEAM,
        user.pk,
        *when_params,
        user.pk,
        SHOWN,
    ]
    return sql, params, [(path, model, fields) for path, model, fields, _ in joined]


def candidates(user: Any, today: dt.date, papers: list[int], entries: list[int]) -> list[Any]:
    """The notes of _candidates_sql, each with its author, entry (and curriculum) and paper
    attached as select_related would, and `interval` and `finished_at` set."""
    sql, params, joined = _candidates_sql(user, today, papers, entries)
    # The converters the ORM applies to each column (JSON, dates on SQLite, ...).
    cols = [f.get_col(model._meta.db_table) for _, model, fields in joined for f in fields]
    cols.append(Progress._meta.get_field("finished_at").get_col(Progress._meta.db_table))
    converters = [
        (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        for col in cols
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    notes = []
    for row in rows:
        values = [*row[:-2], row[-1]]
        for i, (col, convert) in enumerate(converters):
            for converter in convert:
                values[i] = converter(values[i], col, connection)
        objects: dict[tuple[str, ...], Any] = {}
        at = 0
        for path, model, fields in joined:
            chunk = values[at : at + len(fields)]
            at += len(fields)
            parent = objects.get(path[:-1]) if path else None
            obj = None
            if chunk[0] is not None:
                obj = model.from_db(connection.alias, [f.attname for f in fields], chunk)
            if path:
                if parent is None:
                    continue
                parent._meta.get_field(path[-1]).set_cached_value(parent, obj)
            objects[path] = obj
        note = objects[()]
        note.interval, note.finished_at = row[-2], values[-1]
        notes.append(note)
    return notes


def pick(user: Any, *, today: dt.date | None = None) -> list[Resurfaced]:
    """Up to SHOWN notes worth a second look today, whatever the number of notes, papers or
    teammates: one query when I finished nothing in the windows, two when I did (the notes,
    with their author, entry and curriculum)."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    finished = _finished_in_windows(user, today)
    if not finished:
        return []
    papers = [r for r, _ in finished if r]
    entries = [e for r, e in finished if not r and e]
    rows = candidates(user, today, papers, entries)  # annotated Notes
    by_interval: dict[str, list[Any]] = {}
    for note in rows:
        by_interval.setdefault(note.interval, []).append(note)
    order = [interval for interval, _, _ in WINDOWS]
    out: list[Resurfaced] = []
    turn = 0
    while len(out) < SHOWN and any(by_interval.get(i) for i in order):
        interval = order[turn % len(order)]
        if by_interval.get(interval):
            note = by_interval[interval].pop(0)
            mine = note.user_id == user.pk
            out.append(Resurfaced(note, interval, note.finished_at, mine, _excerpt(note.body)))
        turn += 1
    return out


def note_reaffirm(*, actor: Any, note: Note, interval: str) -> Reaffirmation:
    """The reader's "Still true": the note stays as it is and is not brought back again for
    this interval. Pressing it twice (two tabs) records it once."""
    try:
        with transaction.atomic():
            return Reaffirmation.objects.create(
                user=actor, note=note, interval=interval, created_at=timezone.now()
            )
    except IntegrityError:
        return Reaffirmation.objects.get(user=actor, note=note, interval=interval)
