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
    IntegerField,
    OuterRef,
    Q,
    Subquery,
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


def pick(user: Any, *, today: dt.date | None = None) -> list[Resurfaced]:
    """Up to SHOWN notes worth a second look today: one query, whatever the number of notes,
    papers or teammates (the author, entry and curriculum come with it)."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    in_window = Q(pk__in=[])
    which = []
    for interval, fewest, most in WINDOWS:
        start, end = _bounds(today, fewest, most)
        in_window |= Q(finished_at__gte=start, finished_at__lt=end)
        which.append(When(finished_at__gte=start, finished_at__lt=end, then=Value(interval)))
    finished = Progress.objects.filter(in_window, user=user, status=Status.DONE)
    # Progress is keyed on the paper when the entry has one, on the entry when it is link-less.
    finished_on_it = finished.filter(
        Q(resource_id=OuterRef("resource_id"))
        | Q(resource__isnull=True, entry_id=OuterRef("entry_id"))
    ).values("finished_at")[:1]
    rows = (
        Note.objects.filter(readable_notes_q(user))
        .exclude(body="")
        .filter(
            Q(kind=Note.Kind.RESOURCE, resource_id__in=finished.values("resource_id"))
            | Q(
                kind=Note.Kind.ENTRY,
                entry_id__in=finished.filter(resource__isnull=True).values("entry_id"),
            )
        )
        .annotate(finished_at=Subquery(finished_on_it))
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
    )
    by_interval: dict[str, list[Note]] = {}
    for note in rows:
        by_interval.setdefault(note.interval, []).append(note)
    for notes in by_interval.values():
        notes.sort(key=lambda n: n.rank)
    order = [interval for interval, _, _ in WINDOWS]
    out: list[Resurfaced] = []
    turn = 0
    while len(out) < SHOWN and any(by_interval.get(i) for i in order):
        queue = by_interval.get(order[turn % len(order)])
        if queue:
            note = queue.pop(0)
            out.append(
                Resurfaced(
                    note,
                    note.interval,
                    note.finished_at,
                    note.user_id == user.pk,
                    _excerpt(note.body),
                )
            )
        turn += 1
    return out


def note_reaffirm(*, actor: Any, note: Note, interval: str) -> Reaffirmation:
    """ "Still true": the note stays as it is and is not brought back again for this interval.
    Pressing it twice (two tabs) records it once."""
    try:
        with transaction.atomic():
            return Reaffirmation.objects.create(
                user=actor, note=note, interval=interval, created_at=timezone.now()
            )
    except IntegrityError:
        return Reaffirmation.objects.get(user=actor, note=note, interval=interval)
