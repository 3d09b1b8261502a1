"""Random writes that a team's dashboard figures must follow, shared by the tests that hold
the kept figures (test_dashboard_kept) and the cached ones (test_dashboard_cache) equal to a
fresh count. Each draws from the test's own `rng`, in the same order as the test's own writes
did, so a seed replays the same sequence."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from curricula.models import Revision
from notes import services as notes_services
from teams import services as team_services
from teams.models import Membership
from tests import factories


def curricula_by_rule(prefix: str, team: Any, manager: Any, first_start: int) -> list:
    """Three curricula of 8 entries, one per completion rule; the first two assigned to the
    team, starting `first_start` and `first_start` + 10 days ago, due in 5 and 8 days."""
    curricula = [
        factories.make_curriculum_with_entries(8, slug=f"{prefix}-{n}", completion_rule=rule)
        for n, rule in enumerate(["all", "all_core", "core_practitioner_summary"])
    ]
    today = timezone.localdate()
    for n, c in enumerate(curricula[:2]):
        team_services.assignment_create(
            actor=manager,
            team=team,
            curriculum=c,
            start_date=today - dt.timedelta(days=first_start + 10 * n),
            due_date=today + dt.timedelta(days=5 + 3 * n),
        )
    return curricula


class Writes:
    def __init__(
        self, rng: random.Random, team: Any, manager: Any, people: list, curricula: list
    ) -> None:
        self.rng, self.team, self.manager = rng, team, manager
        self.people, self.curricula = people, curricula

    def mark(self) -> None:
        """Someone sets a status on an entry of one of the curricula."""
        entry = self.rng.choice(list(self.rng.choice(self.curricula).entries.all()))
        status = self.rng.choice(["done", "done", "reading", "to_read"])
        notes_services.progress_set(actor=self.rng.choice(self.people), entry=entry, status=status)

    def join_or_leave(self) -> None:
        """Someone joins the team, or leaves it."""
        person = self.rng.choice(self.people)
        if Membership.objects.filter(team=self.team, user=person).exists():
            Membership.objects.filter(team=self.team, user=person).delete()
        else:
            team_services.membership_add(actor=self.manager, team=self.team, user=person)

    def retire(self) -> None:
        """An entry is retired by a revision of its curriculum."""
        c = self.rng.choice(self.curricula)
        entry = c.entries.filter(retired_in__isnull=True).order_by("?").first()
        if entry is not None:
            rev = Revision.objects.create(
                curriculum=c, number=self.rng.randint(10, 10**6), sha256="x", source_text=""
            )
            entry.retired_in = rev
            entry.save()
