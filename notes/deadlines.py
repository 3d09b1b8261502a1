"""Where a person stands against their due dates, exactly as their manager sees it.

The computation is the managers' (teams.selectors.member_deadlines: the same assignment, the
same progress by the curriculum's rule, the same state_of), so a member's "Behind" is their
manager's "Behind". It lives with the teams, above this app, and registers itself here when
the teams app is ready: members' pages ask through `for_member` without importing teams.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Deadline:
    state: str  # teams.selectors.State: done, overdue, stalled, behind, on_track, not_started
    label: str
    percent: int  # done by the curriculum's rule
    expected: int  # where a straight line from start to due date stands today
    start_date: dt.date
    due_date: dt.date

    @property
    def days_left(self) -> int:
        from django.utils import timezone

        return (self.due_date - timezone.localdate()).days

    @property
    def days_late(self) -> int:
        return -self.days_left

    @property
    def needs_attention(self) -> bool:
        return self.state in ("overdue", "stalled", "behind")


Provider = Callable[[Any, list[int]], dict[int, Deadline]]
_provider: list[Provider] = []


def register(provider: Provider) -> None:
    _provider[:] = [provider]


def for_member(user: Any, curriculum_ids: Iterable[int]) -> dict[int, Deadline]:
    """Curriculum id → my deadline, for the curricula assigned to me among these."""
    ids = sorted(set(curriculum_ids))
    if not ids or not _provider:
        return {}
    return _provider[0](user, ids)
