"""Who may see which team and which person in it: managers their own teams, superusers all.

Plain staff are treated like anyone else here (their memberships decide): staff status is for
curating the catalogue in admin, not for reading people's progress. Superusers see every team,
as they could in Django admin anyway. Everything else is a 404, never a 403, so nobody learns
which teams or people exist.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404

from teams.models import Assignment, BoardVersion, Membership, Team


def managed_teams(viewer: Any) -> QuerySet[Team]:
    if not getattr(viewer, "is_authenticated", False):
        return Team.objects.none()
    if viewer.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(
        memberships__user=viewer, memberships__role=Membership.Role.MANAGER
    ).distinct()


def manages_any_team(viewer: Any) -> bool:
    return managed_teams(viewer).exists()


@functools.cache
def _team_for_manager_sql() -> str:
    team, member, version = (m._meta.db_table for m in (Team, Membership, BoardVersion))
    return f"""SELECT t.*, COALESCE(
      (SELECT v.version FROM {version} v WHERE v.team_id = t.id), 0) AS board_version
    FROM {team} t WHERE t.slug = %s AND (%s OR EXISTS (SELECT 1 FROM {member} m
      WHERE m.team_id = t.id AND m.user_id = %s AND m.role = %s))"""  # noqa: S608


def get_team_for_manager(viewer: Any, slug: str) -> Team:
    """With `board_version`, the team's BoardVersion read in the same statement: read first,
    so that the dashboard's figures cached under it (teams.selectors.dashboard) are never
    older than anything else this request reads.

    Every team page starts here: in SQL written once per process (managed_teams' rule), as
    compiling the queryset took ~0.6 ms of CPU on every view."""
    if not getattr(viewer, "is_authenticated", False):
        raise Http404("No such team")
    params = [slug, bool(viewer.is_superuser), viewer.pk, Membership.Role.MANAGER.value]
    team = next(iter(Team.objects.raw(_team_for_manager_sql(), params)), None)
    if team is None:
        raise Http404("No such team")
    return team


def get_member_of_team(team: Team, user_id: int) -> Any:
    """A member of the team (the people the dashboard lists), or 404."""
    person = (
        get_user_model()
        .objects.filter(
            pk=user_id, memberships__team=team, memberships__role=Membership.Role.MEMBER
        )
        .distinct()
        .first()
    )
    if person is None:
        raise Http404("No such person in this team")
    return person


def team_assignments(team: Team) -> QuerySet[Assignment]:
    """The team's own assignments and the personal ones its managers made for people in it.

    A person can be in two teams: a personal assignment made in the other one is that team's
    business, neither listed nor editable here (nor counted on this dashboard). One made before
    Assignment.made_in was recorded, with no team found for it, shows in each of the person's
    teams, as it always did.
    """
    from django.db.models import Q

    people = Membership.objects.filter(team=team).values("user_id")
    return (
        Assignment.objects.filter(
            Q(team=team)
            | Q(user_id__in=people, made_in=team)
            | Q(user_id__in=people, made_in__isnull=True)
        )
        .select_related("curriculum")
        .defer("curriculum__guidance", "curriculum__note_template", "curriculum__description")
        .order_by("due_date", "curriculum__title", "pk")
    )


def get_assignment_for_manager(team: Team, pk: int) -> Assignment:
    assignment = team_assignments(team).select_related("user").filter(pk=pk).first()
    if assignment is None:
        raise Http404("No such assignment")
    return assignment


def get_team_for_member(viewer: Any, slug: str) -> Team:
    """A team viewer belongs to (any role), for its team page; everyone else gets a 404,
    superusers included: a team's discussions are for the people in it."""
    if not getattr(viewer, "is_authenticated", False):
        raise Http404("No such team")
    team = Team.objects.filter(slug=slug, memberships__user=viewer).first()
    if team is None:
        raise Http404("No such team")
    return team
