"""Managers assign curricula in the app: create, change dates, withdraw; bad input is 422."""

from __future__ import annotations

import pytest

from notes.models import Enrollment
from teams.models import Assignment
from tests import factories

pytestmark = pytest.mark.django_db


def test_manager_assigns_a_curriculum_to_the_team(client, manager, alice, bob, team, course):
    client.force_login(manager)
    response = client.post(
        "/teams/research/assignments/",
        {
            "curriculum": course.pk,
            "person": "",
            "start_date": "2026-01-05",
            "due_date": "2026-03-01",
        },
    )
    assert response.status_code == 302
    a = Assignment.objects.get()
    assert (a.team, a.user, a.assigned_by) == (team, None, manager)
    assert set(Enrollment.objects.values_list("user__username", flat=True)) == {"alice", "bob"}
    html = client.get("/teams/research/assignments/").content.decode()
    assert "Course" in html and "the whole team" in html


def test_manager_assigns_to_one_person(client, manager, alice, team, course):
    client.force_login(manager)
    response = client.post(
        "/teams/research/assignments/",
        {
            "curriculum": course.pk,
            "person": alice.pk,
            "start_date": "2026-01-05",
            "due_date": "2026-03-01",
        },
    )
    assert response.status_code == 302
    assert Assignment.objects.get().user == alice
    assert list(Enrollment.objects.values_list("user__username", flat=True)) == ["alice"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start_date": "2026-03-01", "due_date": "2026-01-01"}, "on or after the start"),
        ({"start_date": "not a date", "due_date": "2026-01-01"}, "Enter a valid date"),
        ({"start_date": "", "due_date": ""}, "This field is required"),
        ({"curriculum": "999999"}, "Select a valid choice"),
        ({"person": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_input_comes_back_422_with_a_message(client, manager, team, course, data, message):
    client.force_login(manager)
    form = {
        "curriculum": course.pk,
        "person": "",
        "start_date": "2026-01-01",
        "due_date": "2026-02-01",
        **data,
    }
    response = client.post("/teams/research/assignments/", form)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Assignment.objects.exists()


def test_assigning_twice_is_422_and_says_so(client, manager, assignment, course):
    client.force_login(manager)
    response = client.post(
        "/teams/research/assignments/",
        {
            "curriculum": course.pk,
            "person": "",
            "start_date": "2026-01-01",
            "due_date": "2026-02-01",
        },
    )
    assert response.status_code == 422 and "already assigned" in response.content.decode()


def test_outsider_cannot_be_picked(client, manager, outsider, team, course):
    client.force_login(manager)
    response = client.post(
        "/teams/research/assignments/",
        {
            "curriculum": course.pk,
            "person": outsider.pk,
            "start_date": "2026-01-01",
            "due_date": "2026-02-01",
        },
    )
    assert response.status_code == 422
    assert not Enrollment.objects.filter(user=outsider).exists()


def test_change_dates_and_withdraw(client, manager, alice, assignment, course):
    client.force_login(manager)
    url = f"/teams/research/assignments/{assignment.pk}/edit"
    assert 'type="date"' in client.get(url).content.decode()
    bad = client.post(url, {"start_date": "2026-05-01", "due_date": "2026-04-01"})
    assert bad.status_code == 422
    ok = client.post(url, {"start_date": "2026-04-01", "due_date": "2026-06-01"})
    assert ok.status_code == 302
    assert str(Enrollment.objects.get(user=alice).target_date) == "2026-06-01"
    # Withdrawing asks first, on a page of its own (no JavaScript needed); asking changes nothing.
    assignments = client.get("/teams/research/assignments/").content.decode()
    assert f'href="/teams/research/assignments/{assignment.pk}/delete">Withdraw…</a>' in assignments
    ask = client.get(f"/teams/research/assignments/{assignment.pk}/delete").content.decode()
    assert "Withdraw Course" in ask and "keep their progress" in ask and "Keep it" in ask
    assert Assignment.objects.exists()
    done = client.post(f"/teams/research/assignments/{assignment.pk}/delete")
    assert done.status_code == 302 and not Assignment.objects.exists()
    assert Enrollment.objects.get(user=alice).source == "followed"


def test_members_see_assigned_curricula_first_with_the_due_date(client, alice, assignment):
    factories.make_enrollment(alice, factories.make_curriculum(title="Aaa followed"))
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert html.index("Course") < html.index("Aaa followed")
    assert f"due {assignment.due_date:%-d %b %Y}" in html
