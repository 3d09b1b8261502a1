"""Writes for teams."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from teams.models import Membership, Team

DEMO_TEAM = ("Research onboarding", "research-onboarding")


@transaction.atomic
def ensure_demo_team() -> Team:
    """The demo team of `make run`: the manager manages it, alice and bob are its members."""
    name, slug = DEMO_TEAM
    team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
    roles = {
        "manager": Membership.Role.MANAGER,
        "alice": Membership.Role.MEMBER,
        "bob": Membership.Role.MEMBER,
    }
    users = get_user_model().objects.filter(username__in=roles)
    for user in users:
        Membership.objects.get_or_create(
            team=team, user=user, defaults={"role": roles[user.username]}
        )
    return team
