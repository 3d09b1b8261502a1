"""Random writes that a team's dashboard figures must follow, shared by the tests that hold
the kept figures (test_dashboard_kept) and the cached ones (test_dashboard_cache) equal to a
fresh count. Each draws from the test's own `rng`, in the same order as the test's own writes
did, so a seed replays the same sequence."""

from __future__ import annotations

import random
from typing import Any

from curricula.models import Revision
from notes import services as notes_services
from teams import services as team_services
from teams.models import Membership


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
