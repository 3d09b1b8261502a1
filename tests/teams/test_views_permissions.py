"""Every managers' page: the team's manager and a superuser get in; members, outsiders, plain
staff and other teams' managers get 404; anonymous people are sent to sign in."""

from __future__ import annotations

import pytest

from teams.models import Assignment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(alice, assignment):
    return {
        "list": "/teams/",
        "dashboard": "/teams/research/",
        "dashboard_csv": "/teams/research/dashboard.csv",
        "member": f"/teams/research/people/{alice.pk}/",
        "member_csv": f"/teams/research/people/{alice.pk}/detail.csv",
        "assignments": "/teams/research/assignments/",
        "edit": f"/teams/research/assignments/{assignment.pk}/edit",
    }


@pytest.fixture
def other_manager(db):
    """Manages another team that alice is not in."""
    boss = factories.make_user("otherboss")
    factories.make_team(factories.make_user("carol"), managers=[boss], slug="other")
    return boss


def test_manager_and_superuser_see_every_page(client, manager, admin_user, urls):
    for user in (manager, admin_user):
        client.force_login(user)
        for name, url in urls.items():
            assert client.get(url).status_code == 200, (user, name)


@pytest.mark.parametrize("who", ["alice", "outsider", "staff", "other_manager"])
def test_everyone_else_gets_404(client, request, urls, assignment, who):
    user = (
        factories.make_user("staffer", is_staff=True)
        if who == "staff"
        else request.getfixturevalue(who)
    )
    client.force_login(user)
    for name, url in urls.items():
        if name == "list" and who == "other_manager":
            continue  # they manage a team of their own
        assert client.get(url).status_code == 404, (who, name)
    delete = f"/teams/research/assignments/{assignment.pk}/delete"
    assert client.post(delete).status_code == 404
    assert client.get(delete).status_code == 404  # not even the question
    assert client.post("/teams/research/assignments/", {}).status_code == 404
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_other_manager_sees_only_their_own_team(client, other_manager, team):
    client.force_login(other_manager)
    html = client.get("/teams/").content.decode()
    assert "/teams/other/" in html and "/teams/research/" not in html


def test_anonymous_is_sent_to_sign_in(client, urls, assignment):
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    assert client.post(f"/teams/research/assignments/{assignment.pk}/delete").status_code == 302
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_wrong_methods(client, manager, urls, assignment):
    client.force_login(manager)
    for name in ("list", "dashboard", "dashboard_csv", "member", "member_csv"):
        assert client.post(urls[name]).status_code == 405, name
    assert client.put(f"/teams/research/assignments/{assignment.pk}/delete").status_code == 405
    assert client.put(urls["assignments"]).status_code == 405
    assert client.delete(urls["edit"]).status_code == 405


def test_bad_ids(client, manager, outsider, assignment):
    client.force_login(manager)
    for url in (
        f"/teams/research/people/{manager.pk}/",  # managers are not on their own dashboard
        "/teams/nope/",
        "/teams/nope/dashboard.csv",
        "/teams/research/people/999999/",
        f"/teams/research/people/{outsider.pk}/",
        f"/teams/research/people/{outsider.pk}/detail.csv",
        "/teams/research/assignments/999999/edit",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/teams/research/assignments/999999/delete").status_code == 404


def test_an_assignment_of_another_team_is_404_here(client, manager, course, other_manager):
    from teams.models import Team

    other = Assignment.objects.create(
        team=Team.objects.get(slug="other"),
        curriculum=course,
        start_date="2026-01-01",
        due_date="2026-02-01",
    )
    client.force_login(manager)
    assert client.get(f"/teams/research/assignments/{other.pk}/edit").status_code == 404
    assert client.post(f"/teams/research/assignments/{other.pk}/delete").status_code == 404
    assert Assignment.objects.filter(pk=other.pk).exists()


def test_nav_shows_teams_only_to_managers(client, manager, alice, team):
    from django.test import Client

    client.force_login(manager)
    assert 'href="/teams/"' in client.get("/").content.decode()
    other = Client()
    other.force_login(alice)
    assert 'href="/teams/"' not in other.get("/").content.decode()


@pytest.fixture
def alices_other_team(alice, db):
    """Alice is also in a second team, with a manager of its own who does not manage research."""
    boss = factories.make_user("labboss")
    factories.make_team(alice, managers=[boss], slug="lab")
    return boss


def _assign_personally(client, manager, slug, person, course):
    client.force_login(manager)
    return client.post(
        f"/teams/{slug}/assignments/",
        {
            "curriculum": course.pk,
            "person": person.pk,
            "start_date": "2026-01-05",
            "due_date": "2026-03-01",
        },
    )


def test_a_personal_assignment_made_in_one_team_is_not_another_teams(
    client, manager, alice, team, course, alices_other_team
):
    """A manager of another team alice is in can neither read nor change nor withdraw it."""
    assert _assign_personally(client, manager, "research", alice, course).status_code == 302
    personal = Assignment.objects.get(user=alice)
    assert personal.made_in == team
    client.force_login(alices_other_team)
    listed = client.get("/teams/lab/assignments/").content.decode()
    assert f"/assignments/{personal.pk}/" not in listed and "Max Manager" not in listed
    assert client.get(f"/teams/lab/assignments/{personal.pk}/edit").status_code == 404
    edit = {"start_date": "2026-01-01", "due_date": "2030-01-01"}
    assert client.post(f"/teams/lab/assignments/{personal.pk}/edit", edit).status_code == 404
    assert client.post(f"/teams/lab/assignments/{personal.pk}/delete").status_code == 404
    personal.refresh_from_db()
    assert (str(personal.due_date), personal.assigned_by) == ("2026-03-01", manager)
    # Nor does it count on the other team's dashboard or in its CSV.
    assert "Course" not in client.get("/teams/lab/").content.decode()
    assert "Course" not in client.get("/teams/lab/dashboard.csv").content.decode()
    # Its own team's manager still sees and changes it.
    client.force_login(manager)
    assert client.get(f"/teams/research/assignments/{personal.pk}/edit").status_code == 200


def test_another_team_cannot_assign_the_same_curriculum_over_it(
    client, manager, alice, team, course, alices_other_team
):
    _assign_personally(client, manager, "research", alice, course)
    response = _assign_personally(client, alices_other_team, "lab", alice, course)
    assert response.status_code == 422
    assert "through another team" in response.content.decode()
    assert Assignment.objects.get(user=alice).made_in == team


def test_the_migration_files_old_personal_assignments_under_their_assigners_team(
    manager, alice, team, course, alices_other_team
):
    import importlib

    from django.apps import apps

    mine = Assignment.objects.create(
        user=alice,
        curriculum=course,
        start_date="2026-01-01",
        due_date="2026-02-01",
        assigned_by=alices_other_team,
    )
    unknown = Assignment.objects.create(
        user=alice,
        curriculum=factories.make_curriculum(),
        start_date="2026-01-01",
        due_date="2026-02-01",
    )
    importlib.import_module("teams.migrations.0003_assignment_made_in").guess_made_in(apps, None)
    mine.refresh_from_db()
    unknown.refresh_from_db()
    assert mine.made_in.slug == "lab" and unknown.made_in is None


def test_the_team_pages_sql_keeps_managed_teams_rule(manager, admin_user, alice, other_manager):
    """teams.access.get_team_for_manager reads the team in SQL of its own: for every viewer and
    team, it finds the team exactly when managed_teams lists it."""
    from django.http import Http404

    from teams import access
    from teams.models import Team
    from teams.selectors import board_version

    viewers = [manager, admin_user, alice, other_manager, factories.make_user("nobody")]
    viewers.append(factories.make_user("staffer2", is_staff=True))
    for viewer in viewers:
        managed = set(access.managed_teams(viewer).values_list("slug", flat=True))
        for slug in [*Team.objects.values_list("slug", flat=True), "no-such-team"]:
            try:
                found = access.get_team_for_manager(viewer, slug)
            except Http404:
                assert slug not in managed, (viewer, slug)
            else:
                assert slug in managed and found.slug == slug, (viewer, slug)
                assert found.board_version == board_version(found.pk)
