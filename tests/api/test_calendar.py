"""The private calendar feeds: made and reset on the settings page, read back with
icalendar's own parser; a person's effective assignments, a managed team's, nobody else's."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import time_machine
from django.test import Client
from django.utils import timezone

from api import calendar as api_calendar
from api.models import CalendarFeed
from teams import selectors as team_selectors
from teams import services as team_services
from tests import factories
from tests.api.conftest import session

FROZEN = dt.datetime(2026, 3, 4, 22, 30, tzinfo=dt.UTC)


def _make_address(user) -> tuple[str, list[str]]:
    response = session(user).get("/settings/calendar/")
    assert response.status_code == 200
    client = Client()
    client.force_login(user)
    response = client.post("/settings/calendar/")
    assert response.status_code == 200
    urls = re.findall(r'value="(http[^"]+\.ics)"', response.content.decode())
    return urls[0], urls[1:]


def _events(url: str, client: Client | None = None) -> list[icalendar.Event]:
    response = (client or Client()).get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = icalendar.Calendar.from_ical(response.content)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    return list(parsed.walk("VEVENT"))


@time_machine.travel(FROZEN, tick=False)
def test_my_calendar_has_due_date_and_milestones_of_my_assignments(world):
    url, team_urls = _make_address(world.owner)
    assert team_urls == []  # the owner manages no team

    events = _events(url)

    a = world.assignment
    by_summary = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in events}
    assert by_summary["Due: Course"] == a.due_date
    for percent in (25, 50, 75):
        day = by_summary[f"{percent}% of Course"]
        # The dashboard's own line: expected reaches the milestone that day, not the day before.
        assert team_selectors.expected_percent(a.start_date, a.due_date, day) >= percent
        before = day - dt.timedelta(days=1)
        assert team_selectors.expected_percent(a.start_date, a.due_date, before) < percent
    assert len({str(e["UID"]) for e in events}) == len(events) == 4
    assert all(isinstance(e.decoded("DTSTART"), dt.date) for e in events)


@time_machine.travel(FROZEN, tick=False)
def test_personal_assignment_sets_my_dates_over_the_teams(world):
    today = timezone.localdate()
    mine = team_services.assignment_create(
        actor=world.manager,
        team=world.team,
        curriculum=world.curriculum,
        start_date=today,
        due_date=today + dt.timedelta(days=100),
        user=world.owner,
    )
    url, _ = _make_address(world.owner)
    due = [e.decoded("DTSTART") for e in _events(url) if str(e["SUMMARY"]).startswith("Due")]
    assert due == [mine.due_date]
    # The teammate keeps the team's date.
    url, _ = _make_address(world.member)
    due = [e.decoded("DTSTART") for e in _events(url) if str(e["SUMMARY"]).startswith("Due")]
    assert due == [world.assignment.due_date]


def test_outsider_calendar_is_empty_and_reset_kills_the_old_address(world):
    old, _ = _make_address(world.outsider)
    assert _events(old) == []
    new, _ = _make_address(world.outsider)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    # Only a digest is stored, never the address's secret.
    secret = new.rsplit("/", 1)[1].removesuffix(".ics")
    assert secret not in str(list(CalendarFeed.objects.values_list("digest", flat=True)))


@time_machine.travel(FROZEN, tick=False)
def test_manager_gets_team_calendar_and_nobody_else_does(world):
    url, team_urls = _make_address(world.manager)
    assert len(team_urls) == 1
    today = timezone.localdate()
    team_services.assignment_create(
        actor=world.manager,
        team=world.team,
        curriculum=factories.make_curriculum(slug="extra", title="Extra"),
        start_date=today,
        due_date=today + dt.timedelta(days=8),
        user=world.member,
    )
    summaries = {str(e["SUMMARY"]) for e in _events(team_urls[0])}
    assert "Due: Course" in summaries
    assert "Due: Extra — member" in summaries
    # A member's address does not open the team's calendar, nor a made-up team.
    member_url, _ = _make_address(world.member)
    secret = member_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert Client().get(f"/calendar/{secret}/teams/research.ics").status_code == 404
    manager_secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert Client().get(f"/calendar/{manager_secret}/teams/nope.ics").status_code == 404


def test_bad_secret_and_wrong_method(world):
    assert Client().get("/calendar/cal_nothing_here.ics").status_code == 404
    assert Client().get("/calendar/rl_abc.ics").status_code == 404
    url, _ = _make_address(world.owner)
    assert Client().post(url).status_code == 405


def test_calendar_settings_need_sign_in(db):
    assert Client().get("/settings/calendar/").status_code == 302
    assert Client().post("/settings/calendar/").status_code == 302


def test_milestones_skip_days_that_collapse_onto_start_or_due():
    start = dt.date(2026, 1, 1)
    assert api_calendar.milestone_day(start, start, 50) == start
    days = {
        p: api_calendar.milestone_day(start, start + dt.timedelta(days=2), p) for p in (25, 50, 75)
    }
    assert days[25] == start + dt.timedelta(days=1)
    assert days[75] == start + dt.timedelta(days=2)


def test_my_calendar_queries_do_not_grow_with_assignments(world, django_assert_max_num_queries):
    from api import services as api_services

    secret = api_services.calendar_reset(actor=world.owner)
    url = f"/calendar/{secret}.ics"
    Client().get(url)  # the first fetch records last_used_at
    counts = []
    for n in (1, 6):
        today = timezone.localdate()
        for i in range(n):
            team_services.assignment_create(
                actor=world.manager,
                team=world.team,
                curriculum=factories.make_curriculum(slug=f"c{n}-{i}", title=f"C {n} {i}"),
                start_date=today,
                due_date=today + dt.timedelta(days=30 + i),
                user=world.owner if i % 2 else None,
            )
        with django_assert_max_num_queries(8) as queries:
            assert len(_events(url)) >= 4 * n
        counts.append(len(queries))
    assert counts[0] == counts[1]
