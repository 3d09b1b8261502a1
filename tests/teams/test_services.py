"""Assignments enrol people (and people who join later); withdrawing keeps their progress."""

from __future__ import annotations

import datetime as dt

import pytest

from notes import services as notes_services
from notes.models import Activity, Enrollment, Progress
from teams import services
from teams.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db


def enrollment(user, curriculum):
    return Enrollment.objects.filter(user=user, curriculum=curriculum).first()


def test_assigning_to_the_team_enrols_its_members_not_its_managers(
    manager, alice, bob, assignment, course
):
    for person in (alice, bob):
        e = enrollment(person, course)
        assert e.source == "assigned" and e.target_date == assignment.due_date
    assert enrollment(manager, course) is None
    assert Activity.objects.filter(user=alice, verb="followed", detail__assigned=True).exists()


def test_someone_who_joins_later_is_enrolled_in_the_team_assignments(
    manager, team, assignment, course
):
    carol = factories.make_user("carol")
    services.membership_add(actor=manager, team=team, user=carol)
    assert enrollment(carol, course).target_date == assignment.due_date


def test_joining_through_admin_enrols_too(admin_client, team, assignment, course):
    carol = factories.make_user("carol")
    memberships = list(team.memberships.all())
    data = {
        "name": team.name,
        "slug": team.slug,
        "memberships-TOTAL_FORMS": str(len(memberships) + 1),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "1",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-id": str(assignment.pk),
        "assignments-0-team": str(team.pk),
        "assignments-0-curriculum": str(course.pk),
        "assignments-0-start_date": assignment.start_date.isoformat(),
        "assignments-0-due_date": assignment.due_date.isoformat(),
    }
    for i, m in enumerate(memberships):
        data.update(
            {
                f"memberships-{i}-id": str(m.pk),
                f"memberships-{i}-team": str(team.pk),
                f"memberships-{i}-user": str(m.user_id),
                f"memberships-{i}-role": m.role,
            }
        )
    n = len(memberships)
    data.update(
        {
            f"memberships-{n}-team": str(team.pk),
            f"memberships-{n}-user": str(carol.pk),
            f"memberships-{n}-role": "member",
        }
    )
    response = admin_client.post(f"/admin/teams/team/{team.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Membership.objects.filter(team=team, user=carol).exists()
    assert enrollment(carol, course).source == "assigned"


def test_a_personal_assignment_beats_the_team_one_for_that_person(
    manager, team, alice, bob, assignment, course
):
    later = assignment.due_date + dt.timedelta(days=30)
    services.assignment_create(
        actor=manager,
        team=team,
        curriculum=course,
        start_date=assignment.start_date,
        due_date=later,
        user=alice,
    )
    assert enrollment(alice, course).target_date == later
    assert enrollment(bob, course).target_date == assignment.due_date


def test_changing_dates_moves_the_target_date(manager, alice, assignment, course):
    new_due = assignment.due_date + dt.timedelta(days=5)
    services.assignment_update(
        actor=manager, assignment=assignment, start_date=assignment.start_date, due_date=new_due
    )
    assert enrollment(alice, course).target_date == new_due


def test_withdrawing_keeps_people_following_with_their_progress(
    manager, alice, assignment, course, entries
):
    notes_services.progress_set(actor=alice, entry=entries[0], status="done")
    services.assignment_delete(actor=manager, assignment=assignment)
    e = enrollment(alice, course)
    assert (e.source, e.target_date) == ("followed", None)
    assert Progress.objects.filter(user=alice, status="done").count() == 1


def test_assigning_what_someone_already_follows_marks_it_assigned(manager, team, alice, course):
    notes_services.enrollment_follow(actor=alice, curriculum=course)
    started = enrollment(alice, course).started_at
    services.assignment_create(
        actor=manager,
        team=team,
        curriculum=course,
        start_date=dt.date(2026, 1, 1),
        due_date=dt.date(2026, 3, 1),
    )
    e = enrollment(alice, course)
    assert e.source == "assigned" and e.started_at == started
    # An assigned curriculum cannot be unfollowed by the person.
    assert not notes_services.enrollment_unfollow(actor=alice, curriculum=course)


def test_bad_dates_duplicates_and_strangers_are_refused(
    manager, team, outsider, assignment, course
):
    with pytest.raises(services.AssignmentError, match="on or after"):
        services.assignment_create(
            actor=manager,
            team=team,
            curriculum=factories.make_curriculum(),
            start_date=dt.date(2026, 2, 1),
            due_date=dt.date(2026, 1, 1),
        )
    with pytest.raises(services.AssignmentError, match="already assigned"):
        services.assignment_create(
            actor=manager,
            team=team,
            curriculum=course,
            start_date=dt.date(2026, 1, 1),
            due_date=dt.date(2026, 2, 1),
        )
    with pytest.raises(services.AssignmentError, match="not in"):
        services.assignment_create(
            actor=manager,
            team=team,
            curriculum=course,
            start_date=dt.date(2026, 1, 1),
            due_date=dt.date(2026, 2, 1),
            user=outsider,
        )
    assert enrollment(outsider, course) is None


def test_leaving_the_team_through_admin_releases_the_assignment(
    admin_client, team, alice, assignment, course
):
    from django.contrib import admin

    from teams.admin import TeamAdmin

    membership = Membership.objects.get(team=team, user=alice)
    membership.delete()
    TeamAdmin(type(team), admin.site).sync_after_change(team, {alice.pk})
    assert enrollment(alice, course).source == "followed"
