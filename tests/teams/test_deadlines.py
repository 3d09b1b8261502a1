"""Members see where they stand against their due dates exactly as their manager does (home
and the curriculum page), and get a nudge email when they fall behind or a due date nears."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notes import services as notes_services
from teams import nudges, selectors, tasks
from teams import services as team_services
from teams.models import DigestPreference

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 9, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def assign(manager, team, course, start_days, due_days, user=None):
    return team_services.assignment_create(
        actor=manager,
        team=team,
        curriculum=course,
        start_date=TODAY + dt.timedelta(days=start_days),
        due_date=TODAY + dt.timedelta(days=due_days),
        user=user,
    )


def shown_state(html: str) -> str:
    found = re.search(r'<p class="deadline deadline-(\w+)">', html)
    return found.group(1) if found else ""


def managers_state(team, person) -> str:
    row = next(r for r in selectors.dashboard(team).all_rows if r.person.pk == person.pk)
    return row.state


@pytest.mark.parametrize(
    ("start", "due", "done", "state"),
    [
        (-40, -2, 0, "overdue"),  # the case: due two days ago, nothing read
        (-10, 10, 0, "behind"),  # 50% expected, 0% done
        (-10, 10, 2, "on_track"),  # 50% expected, 50% done
        (-10, 10, 4, "done"),
        (3, 20, 0, "not_started"),
    ],
)
def test_member_sees_their_managers_state_on_home_and_the_curriculum_page(
    client, manager, alice, team, course, entries, start, due, done, state
):
    assign(manager, team, course, start, due)
    for e in entries[:done]:
        notes_services.progress_set(actor=alice, entry=e, status="done")
    assert managers_state(team, alice) == state
    client.force_login(alice)
    home = client.get("/").content.decode()
    page = client.get(f"/curricula/{course.slug}/").content.decode()
    assert shown_state(home) == shown_state(page) == state
    label = selectors.State.LABELS[state]
    assert f'<strong class="state state-{state}">{label}</strong>' in home
    if state == "behind":
        assert "you are at 0%, expected 50% by today" in home
        assert "due 10 Dec 2026 (in 10 days)" in home
    if state == "overdue":
        assert "it was due 28 Nov 2026 (2 days ago)" in page


def test_a_personal_assignment_wins_as_on_the_dashboard(
    client, manager, alice, team, course, entries
):
    assign(manager, team, course, -10, 30)  # the team's: 25% expected
    assign(manager, team, course, -10, 2, user=alice)  # hers: 83% expected
    notes_services.progress_set(actor=alice, entry=entries[0], status="done")
    assert managers_state(team, alice) == "behind"
    client.force_login(alice)
    home = client.get("/").content.decode()
    assert shown_state(home) == "behind" and "due 2 Dec 2026 (in 2 days)" in home


def test_following_without_an_assignment_shows_no_deadline(client, alice, course):
    from tests import factories

    factories.make_enrollment(alice, course)
    client.force_login(alice)
    assert shown_state(client.get("/").content.decode()) == ""
    assert shown_state(client.get(f"/curricula/{course.slug}/").content.decode()) == ""


def test_nudge_when_behind_once_a_week_and_never_when_opted_out(
    manager, alice, bob, team, course, entries
):
    assign(manager, team, course, -10, 10)
    notes_services.progress_set(actor=bob, entry=entries[0], status="done")
    notes_services.progress_set(actor=bob, entry=entries[1], status="done")
    assert nudges.nudge_send(user=alice, today=TODAY)
    assert not nudges.nudge_send(user=alice, today=TODAY + dt.timedelta(days=1))  # same week
    assert not nudges.nudge_send(user=bob, today=TODAY)  # on track, due in 10 days
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Course: behind"
    assert "You are at 0%; 50% was expected by today. Due 10 Dec 2026." in message.body
    assert "/digest/" in message.body and "/unsubscribe/" in message.body
    DigestPreference.objects.create(user=alice, weekly_digest=False)
    assert not nudges.nudge_send(user=alice, today=TODAY + dt.timedelta(days=7))
    assert nudges.nudge_recipients() == [bob.pk]


def test_nudge_when_a_due_date_nears_even_on_track(manager, bob, team, course, entries):
    assign(manager, team, course, -1, 2)  # 33% expected today
    for e in entries:
        notes_services.progress_set(actor=bob, entry=e, status="done")
    assert not nudges.nudge_send(user=bob, today=TODAY)  # done: nothing to say
    notes_services.progress_set(actor=bob, entry=entries[3], status="reading")
    notes_services.progress_set(actor=bob, entry=entries[2], status="reading")
    assert managers_state(team, bob) == "on_track"  # 50%
    assert nudges.nudge_send(user=bob, today=TODAY)
    (message,) = mail.outbox
    assert message.subject == "Course: due 2 Dec"
    assert "Due 2 Dec 2026, in 2 days." in message.body


def test_the_daily_task_is_on_the_beat_and_sends_through_the_workers(
    settings, manager, alice, team, course
):
    entry = settings.CELERY_BEAT_SCHEDULE["teams-deadline-nudges"]
    assert entry["task"] == "teams.tasks.send_deadline_nudges"
    assign(manager, team, course, -40, -2)
    from readlist.celery import app

    app.conf.task_always_eager = True
    try:
        assert tasks.send_deadline_nudges.delay(TODAY.isoformat()).get() == 2
        tasks.send_deadline_nudges.delay(TODAY.isoformat()).get()
    finally:
        app.conf.task_always_eager = False
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]
    assert all(m.subject == "Course: overdue" for m in mail.outbox)


def test_settings_are_linked_from_every_page(client, alice):
    client.force_login(alice)
    assert 'href="/digest/">Settings</a>' in client.get("/").content.decode()
    assert timezone.localdate() == TODAY
