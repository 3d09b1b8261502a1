"""What an invitation offers, for its email: the team, the role, and the reading that comes
with it (the team's assignments for a member, and the invitation's own curricula)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from notes.models import Invitation
from teams.models import Assignment, InvitationPlacement, Membership


@dataclass(frozen=True)
class Reading:
    title: str
    # None: the invitation's own curricula without a date are due 12 weeks after sign-up.
    due: dt.date | None


def offer(invitation: Invitation) -> dict[str, Any]:
    """The email's extra context: {} when the invitation names no team. Three queries.

    Mirrors teams.services.invitation_onboard, so the email promises what sign-up does:
    team assignments are for members only, and an own curriculum the team already has is
    not listed twice."""
    placement = (
        InvitationPlacement.objects.select_related("team")
        .filter(invitation_id=invitation.pk)
        .first()
    )
    if placement is None:
        return {}
    reading: list[Reading] = []
    seen: set[int] = set()
    if placement.role == Membership.Role.MEMBER:
        for a in (
            Assignment.objects.filter(team=placement.team)
            .select_related("curriculum")
            .order_by("due_date", "curriculum__title")
        ):
            seen.add(a.curriculum_id)
            reading.append(Reading(a.curriculum.title, a.due_date))
    today = timezone.localdate()
    due = placement.due_date if placement.due_date and placement.due_date >= today else None
    for curriculum in placement.curricula.order_by("title"):
        if curriculum.pk not in seen:
            reading.append(Reading(curriculum.title, due))
    return {
        "team": placement.team,
        "role": Membership.Role(placement.role).label.lower(),
        "reading": reading,
    }
