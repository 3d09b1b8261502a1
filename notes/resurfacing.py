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

from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from notes.access import readable_notes_q
from notes.models import Note, Progress, Reaffirmation, Status
from notes.search import plain_text

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


def _windows(today: dt.date) -> tuple[Q, list[When]]:
    """A filter on `finished_at` for any window, and the Whens naming each one's interval."""
    in_window = Q(pk__in=[])
    which = []
    for interval, fewest, most in WINDOWS:
        start, end = _bounds(today, fewest, most)
        in_window |= Q(finished_at__gte=start, finished_at__lt=end)
        which.append(When(finished_at__gte=start, finished_at__lt=end, then=Value(interval)))
    return in_window, which


def candidates(user: Any, today: dt.date, papers: list[int], entries: list[int]) -> QuerySet[Note]:
    """Each interval's first SHOWN notes on these papers and link-less entries (the ones I
    finished in a window), in the order pick() takes them, with what their cards show.

    The notes are found through their paper's (or entry's) index from the ids given, never
    by reading every note of the team; my progress is joined, not asked for per note: on the
    paper for a note on a paper, on the entry for a note on a link-less entry, as Progress
    is keyed."""
    _, which = _windows(today)
    on = Q(pk__in=[])
    if papers:
        on |= Q(kind=Note.Kind.RESOURCE, resource_id__in=papers)
    if entries:
        on |= Q(kind=Note.Kind.ENTRY, entry_id__in=entries)
    on_paper = FilteredRelation(
        "resource__progress",
        condition=Q(resource__progress__user=user, resource__progress__status=Status.DONE),
    )
    on_entry = FilteredRelation(
        "entry__progress",
        condition=Q(
            entry__progress__user=user,
            entry__progress__status=Status.DONE,
            entry__progress__resource__isnull=True,
        ),
    )
    return (
        Note.objects.filter(on)
        .filter(readable_notes_q(user))
        .exclude(body="")
        .annotate(my_paper=on_paper, my_entry=on_entry)
        .annotate(
            finished_at=Case(
                When(kind=Note.Kind.RESOURCE, then=F("my_paper__finished_at")),
                default=F("my_entry__finished_at"),
            )
        )
        .annotate(
            interval=Case(*which, default=Value(""), output_field=CharField()),
            theirs=Case(
                When(user=user, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .exclude(
            Exists(
                Reaffirmation.objects.filter(
                    user=user, note_id=OuterRef("pk"), interval=OuterRef("interval")
                )
            )
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("interval")],
                order_by=[F("theirs"), F("finished_at"), F("pk")],
            )
        )
        .filter(rank__lte=SHOWN)
        .select_related("user", "entry__curriculum", "resource")
        .defer("resource__abstract", "entry__excerpt", "entry__curriculum__guidance")
        # In the window's own order, so each interval's notes come in rank order.
        .order_by("theirs", "finished_at", "pk")
    )


def pick(user: Any, *, today: dt.date | None = None) -> list[Resurfaced]:
    """Up to SHOWN notes worth a second look today, whatever the number of notes, papers or
    teammates: one query when I finished nothing in the windows, two when I did (the notes,
    with their author, entry and curriculum)."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    in_window, _ = _windows(today)
    finished = list(
        Progress.objects.filter(in_window, user=user, status=Status.DONE).values_list(
            "resource_id", "entry_id"
        )
    )
    if not finished:
        return []
    papers = [r for r, _ in finished if r]
    entries = [e for r, e in finished if not r and e]
    rows: list[Any] = list(candidates(user, today, papers, entries))  # annotated Notes
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
