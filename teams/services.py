"""Writes for teams: memberships, assignments and the enrollments they imply, digest settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from curricula.models import Curriculum
from notes.models import Activity, Enrollment
from teams.models import Assignment, DigestPreference, InvitationPlacement, Membership, Team

DEMO_TEAM = ("Research onboarding", "research-onboarding")


class AssignmentError(ValueError):
    """An assignment that cannot be made; the message says why, for the form."""


def _effective_assignments(
    user_ids: list[int], curriculum_ids: list[int]
) -> dict[tuple[int, int], Assignment]:
    """(user, curriculum) → the assignment that sets its due date: personal first, else the
    team assignment due soonest among the person's teams. Two queries."""
    teams_of: dict[int, set[int]] = {}
    # Team assignments are for the team's members; its managers are not enrolled by them.
    memberships = Membership.objects.filter(user_id__in=user_ids, role=Membership.Role.MEMBER)
    for user_id, team_id in memberships.values_list("user_id", "team_id"):
        teams_of.setdefault(user_id, set()).add(team_id)
    all_teams = {t for ts in teams_of.values() for t in ts}
    rows = Assignment.objects.filter(curriculum_id__in=curriculum_ids).filter(
        Q(user_id__in=user_ids) | Q(team_id__in=all_teams)
    )
    personal: dict[tuple[int, int], Assignment] = {}
    by_team: dict[tuple[int, int], Assignment] = {}
    for a in rows:
        if a.user_id is not None:
            personal[(a.user_id, a.curriculum_id)] = a
        else:
            by_team[(a.team_id or 0, a.curriculum_id)] = a
    result: dict[tuple[int, int], Assignment] = {}
    for user_id in user_ids:
        for curriculum_id in curriculum_ids:
            key = (user_id, curriculum_id)
            if key in personal:
                result[key] = personal[key]
                continue
            candidates = [
                by_team[(t, curriculum_id)]
                for t in teams_of.get(user_id, ())
                if (t, curriculum_id) in by_team
            ]
            if candidates:
                result[key] = min(candidates, key=lambda a: (a.due_date, a.pk))
    return result


def effective_assignments(
    user_ids: list[int], curriculum_ids: list[int]
) -> dict[tuple[int, int], Assignment]:
    """The assignment that sets each (person, curriculum)'s dates, for readers outside teams
    (the calendar feeds): the same choice as the enrolments' target dates."""
    return _effective_assignments(user_ids, curriculum_ids)


def enrollments_sync(*, user_ids: Iterable[int], curriculum_ids: Iterable[int]) -> int:
    """Make enrollments agree with assignments, in a constant number of queries.

    Assigned and not enrolled: enrol (source assigned, target = due date). Enrolled and
    assigned: mark assigned with the due date. Marked assigned but no longer assigned: the
    person keeps following it (their progress is theirs), as "followed" without a due date.
    Returns how many enrollments were created or changed.
    """
    users, curricula = sorted(set(user_ids)), sorted(set(curriculum_ids))
    if not users or not curricula:
        return 0
    effective = _effective_assignments(users, curricula)
    existing = {
        (e.user_id, e.curriculum_id): e
        for e in Enrollment.objects.filter(user_id__in=users, curriculum_id__in=curricula)
    }
    now = timezone.now()
    to_create: list[Enrollment] = []
    to_update: list[Enrollment] = []
    for key, assignment in effective.items():
        enrollment = existing.get(key)
        if enrollment is None:
            to_create.append(
                Enrollment(
                    user_id=key[0],
                    curriculum_id=key[1],
                    source=Enrollment.Source.ASSIGNED,
                    started_at=now,
                    target_date=assignment.due_date,
                )
            )
        elif (
            enrollment.source != Enrollment.Source.ASSIGNED
            or enrollment.target_date != assignment.due_date
        ):
            enrollment.source = Enrollment.Source.ASSIGNED
            enrollment.target_date = assignment.due_date
            to_update.append(enrollment)
    for key, enrollment in existing.items():
        if key not in effective and enrollment.source == Enrollment.Source.ASSIGNED:
            enrollment.source = Enrollment.Source.FOLLOWED
            enrollment.target_date = None
            to_update.append(enrollment)
    Enrollment.objects.bulk_create(to_create, ignore_conflicts=True)
    Enrollment.objects.bulk_update(to_update, ["source", "target_date"])
    Activity.objects.bulk_create(
        Activity(
            user_id=e.user_id,
            verb=Activity.Verb.FOLLOWED,
            curriculum_id=e.curriculum_id,
            detail={"assigned": True, "due": e.target_date.isoformat() if e.target_date else ""},
            created_at=now,
        )
        for e in to_create
    )
    return len(to_create) + len(to_update)


def people_of(assignment: Assignment) -> list[int]:
    if assignment.user_id is not None:
        return [assignment.user_id]
    assert assignment.team_id is not None  # the team-xor-user constraint
    return list(
        Membership.objects.filter(
            team_id=assignment.team_id, role=Membership.Role.MEMBER
        ).values_list("user_id", flat=True)
    )


def assignment_synced(*, assignment: Assignment) -> int:
    """Enrol the people of an assignment saved elsewhere (Django admin)."""
    return enrollments_sync(
        user_ids=people_of(assignment), curriculum_ids=[assignment.curriculum_id]
    )


def _check_dates(start_date: dt.date, due_date: dt.date) -> None:
    if due_date < start_date:
        raise AssignmentError("The due date must be on or after the start date.")


@transaction.atomic
def assignment_create(
    *,
    actor: Any,
    team: Team,
    curriculum: Curriculum,
    start_date: dt.date,
    due_date: dt.date,
    user: Any = None,
) -> Assignment:
    """Assign a curriculum to the whole team, or (user given) to one person in it; enrols them."""
    _check_dates(start_date, due_date)
    if user is not None:
        if not Membership.objects.filter(team=team, user=user).exists():
            raise AssignmentError(f"{user} is not in {team}.")
        clash = Assignment.objects.filter(curriculum=curriculum, user=user)
        if clash.exclude(made_in=team).exclude(made_in__isnull=True).exists():
            # One personal assignment per person and curriculum; another team's is theirs.
            raise AssignmentError(
                f"{curriculum} is already assigned to {user} through another team."
            )
    else:
        clash = Assignment.objects.filter(curriculum=curriculum, team=team)
    if clash.exists():
        raise AssignmentError(
            f"{curriculum} is already assigned to {user or team}; edit that assignment instead."
        )
    assignment = Assignment.objects.create(
        curriculum=curriculum,
        team=None if user is not None else team,
        made_in=team if user is not None else None,
        user=user,
        start_date=start_date,
        due_date=due_date,
        assigned_by=actor,
    )
    enrollments_sync(user_ids=people_of(assignment), curriculum_ids=[curriculum.pk])
    return assignment


@transaction.atomic
def assignment_update(
    *, actor: Any, assignment: Assignment, start_date: dt.date, due_date: dt.date
) -> Assignment:
    _check_dates(start_date, due_date)
    assignment.start_date = start_date
    assignment.due_date = due_date
    assignment.assigned_by = actor
    assignment.save(update_fields=["start_date", "due_date", "assigned_by"])
    enrollments_sync(user_ids=people_of(assignment), curriculum_ids=[assignment.curriculum_id])
    return assignment


@transaction.atomic
def assignment_delete(*, actor: Any, assignment: Assignment) -> None:
    """Withdraw an assignment; people keep following the curriculum and keep their progress."""
    people = people_of(assignment)
    curriculum_id = assignment.curriculum_id
    assignment.delete()
    enrollments_sync(user_ids=people, curriculum_ids=[curriculum_id])


def team_enrollments_sync(*, team: Team, user_ids: Iterable[int] = ()) -> int:
    """After people join or leave a team: enrol them in its assignments (or release them)."""
    people = set(user_ids) or set(team.memberships.values_list("user_id", flat=True))
    curricula = set(team.assignments.values_list("curriculum_id", flat=True))
    # People who left keep any personal or other-team assignment; sync sorts that out.
    curricula |= set(
        Assignment.objects.filter(user_id__in=people).values_list("curriculum_id", flat=True)
    )
    curricula |= set(
        Enrollment.objects.filter(
            user_id__in=people, source=Enrollment.Source.ASSIGNED
        ).values_list("curriculum_id", flat=True)
    )
    return enrollments_sync(user_ids=people, curriculum_ids=curricula)


@transaction.atomic
def membership_add(*, actor: Any, team: Team, user: Any, role: str = "member") -> Membership:
    """Add someone to a team; they are enrolled in what the team has been assigned."""
    membership, created = Membership.objects.get_or_create(
        team=team, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    team_enrollments_sync(team=team, user_ids=[user.pk])
    return membership


def invitation_onboard(*, user: Any, email: str) -> Membership | None:
    """Place a person who signed up through an invitation: into its team with its role, with
    the team's assignments and the invitation's own curricula. Nothing when it names no team."""
    placement = (
        InvitationPlacement.objects.select_related("team", "invitation__invited_by")
        .filter(invitation__email=email.strip().lower())
        .first()
    )
    if placement is None:
        return None
    actor = placement.invitation.invited_by
    membership = membership_add(actor=actor, team=placement.team, user=user, role=placement.role)
    today = timezone.localdate()
    due = placement.due_date if placement.due_date and placement.due_date >= today else None
    for curriculum in placement.curricula.all():
        try:
            assignment_create(
                actor=actor,
                team=placement.team,
                curriculum=curriculum,
                start_date=today,
                due_date=due or today + dt.timedelta(weeks=12),
                user=user,
            )
        except AssignmentError:
            continue  # already theirs through the team (or another team): nothing to add
    return membership


def digest_preference_set(*, actor: Any, weekly_digest: bool) -> DigestPreference:
    pref, _ = DigestPreference.objects.update_or_create(
        user=actor, defaults={"weekly_digest": weekly_digest}
    )
    return pref


@transaction.atomic
def ensure_demo_team() -> Team:
    """The demo team of `make run`: the manager manages it, alice and bob are its members;
    elicit (when loaded) is assigned to it, started a fortnight ago, due in two months."""
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
    elicit = Curriculum.objects.filter(slug="elicit").first()
    if elicit is not None and not team.assignments.exists():
        today = timezone.localdate()
        Assignment.objects.create(
            team=team,
            curriculum=elicit,
            start_date=today - dt.timedelta(days=14),
            due_date=today + dt.timedelta(days=60),
            assigned_by=users.filter(username="manager").first(),
        )
    team_enrollments_sync(team=team)
    return team
