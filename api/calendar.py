"""Private iCalendar feeds (built with the `icalendar` package): a person's assignment due
dates with the expected-progress milestones, and a managed team's, at a secret address."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from api import services
from teams import access as team_access
from teams import selectors as team_selectors
from teams import services as team_services
from teams.models import Assignment, Membership

MILESTONES = (25, 50, 75)
PRODID = "-//Readlist//Readlist calendar//EN"


def milestone_day(start: dt.date, due: dt.date, percent: int) -> dt.date:
    """The first day the dashboard expects `percent` done (its own straight line)."""
    day = start + dt.timedelta(days=(due - start).days * percent // 100)
    while day < due and team_selectors.expected_percent(start, due, day) < percent:
        day += dt.timedelta(days=1)
    return day


def _host() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.SITE_URL).hostname or "readlist"


def _event(uid: str, day: dt.date, summary: str, description: str, url: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{uid}@{_host()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def assignment_events(assignment: Assignment, who: str = "") -> list[icalendar.Event]:
    """The due date and the 25/50/75% milestones of one assignment (`who` names a person on
    a team's calendar)."""
    c = assignment.curriculum
    url = settings.SITE_URL.rstrip("/") + reverse("curricula:detail", args=[c.slug])
    suffix = f" — {who}" if who else ""
    start, due = assignment.start_date, assignment.due_date
    key = f"readlist-assignment-{assignment.pk}"
    events = [
        _event(
            f"{key}-due",
            due,
            f"Due: {c.title}{suffix}",
            f"{c.title} is due today (assigned from {start:%Y-%m-%d}).",
            url,
        )
    ]
    seen = {due}
    for percent in MILESTONES:
        day = milestone_day(start, due, percent)
        if day in seen or day <= start:
            continue
        seen.add(day)
        events.append(
            _event(
                f"{key}-{percent}",
                day,
                f"{percent}% of {c.title}{suffix}",
                f"To be on track, {percent}% of {c.title} is done by today "
                f"(a straight line from {start:%Y-%m-%d} to the due date {due:%Y-%m-%d}).",
                url,
            )
        )
    return events


def _calendar(name: str, events: list[icalendar.Event]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def person_calendar(user: Any) -> bytes:
    """My assignments: for each curriculum, the one that sets my dates (personal first)."""
    teams = Membership.objects.filter(user=user, role=Membership.Role.MEMBER).values("team_id")
    curricula = list(
        Assignment.objects.filter(Q(user=user) | Q(team_id__in=teams))
        .values_list("curriculum_id", flat=True)
        .distinct()
    )
    chosen = team_services.effective_assignments([user.pk], curricula) if curricula else {}
    ids = [a.pk for a in chosen.values()]
    assignments = Assignment.objects.filter(pk__in=ids).select_related("curriculum")
    events = [e for a in assignments.order_by("due_date", "pk") for e in assignment_events(a)]
    return _calendar(f"Readlist: {user.get_username()}", events)


def team_calendar(team: Any) -> bytes:
    """A team's assignments, the team's own and each person's, named."""
    events = []
    for a in team_access.team_assignments(team).select_related("user"):
        who = team_selectors.Member.of(a.user).name if a.user_id else ""
        events.extend(assignment_events(a, who))
    return _calendar(f"Readlist: {team.name}", events)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def person_feed(request: HttpRequest, secret: str) -> HttpResponse:
    user = services.calendar_user(secret)
    if user is None:
        raise Http404("No such calendar")
    return _ics(person_calendar(user), "readlist.ics")


@require_GET
def team_feed(request: HttpRequest, secret: str, slug: str) -> HttpResponse:
    """A team's calendar at its manager's secret address; 404 for a team they do not manage."""
    user = services.calendar_user(secret)
    if user is None:
        raise Http404("No such calendar")
    team = team_access.get_team_for_manager(user, slug)
    return _ics(team_calendar(team), f"readlist-{team.slug}.ics")
