"""A person's state on an assignment: done, overdue, stalled, behind, on track, not started."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notes.progress import Cell
from teams.models import Assignment
from teams.selectors import State, expected_percent, state_of

TODAY = timezone.localdate()
NOW = timezone.now()


def assignment(start_offset: int, due_offset: int) -> Assignment:
    return Assignment(
        start_date=TODAY + dt.timedelta(days=start_offset),
        due_date=TODAY + dt.timedelta(days=due_offset),
    )


def recently(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def test_expected_is_a_straight_line_from_start_to_due():
    start, due = dt.date(2026, 1, 1), dt.date(2026, 1, 11)
    assert expected_percent(start, due, dt.date(2025, 12, 1)) == 0
    assert expected_percent(start, due, dt.date(2026, 1, 6)) == 50
    assert expected_percent(start, due, dt.date(2026, 2, 1)) == 100
    assert expected_percent(start, start, start) == 100


@pytest.mark.parametrize(
    ("done", "a", "last", "state"),
    [
        (10, assignment(-30, -1), recently(40), State.DONE),  # done beats overdue
        (5, assignment(-30, -1), recently(1), State.OVERDUE),
        (9, assignment(-20, 20), recently(14), State.STALLED),
        (9, assignment(-20, 20), None, State.STALLED),  # nothing since the start
        (2, assignment(-10, 10), recently(1), State.BEHIND),  # 20% < 50%
        (5, assignment(-10, 10), recently(1), State.ON_TRACK),
        (0, assignment(0, 30), None, State.ON_TRACK),  # starts today: nothing expected yet
        (0, assignment(-3, 30), None, State.BEHIND),  # 0% < 9%, but not stalled yet
        (0, assignment(3, 30), None, State.NOT_STARTED),
    ],
)
def test_states(settings, done, a, last, state):
    settings.READLIST_STALLED_DAYS = 14
    assert state_of(Cell(done, 10), a, last, NOW) == state


def test_stalled_days_is_a_setting(settings):
    a = assignment(-20, 20)
    settings.READLIST_STALLED_DAYS = 30
    assert state_of(Cell(9, 10), a, recently(14), NOW) == State.ON_TRACK
    settings.READLIST_STALLED_DAYS = 7
    assert state_of(Cell(9, 10), a, recently(8), NOW) == State.STALLED
