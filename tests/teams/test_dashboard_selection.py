"""The dashboard's selection is SQL (teams.board): its progress, expected share and state equal
what the Python rules give (notes.progress, teams.selectors.state_of) for every row; its sorts
order, its pages cover everyone once, its search takes text literally, and a large CSV is
streamed with the same rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zoneinfo

import pytest
import time_machine
from django.http import StreamingHttpResponse
from django.utils import timezone

from notes import tallies
from notes.models import Progress
from notes.progress import NO_LINE, progress_many, read_lines
from teams import board, selectors, views
from teams import services as team_services
from teams.models import Assignment
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 18, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))


@pytest.fixture
def world(manager):
    """Nine people with odd names, three curricula (one per rule), assignments before, during
    and after their windows, personal ones replacing the team's, and reading spread over time
    (some of it exactly at the stalled boundary)."""
    with time_machine.travel(NOW, tick=False):
        rng = random.Random(13)
        names = ["Ann", "bob", "Émile", "100%_sure", "Zed", "al_ice", "", "Ann", "Ö"]
        people = [
            factories.make_user(f"user{i}", first_name=name, email=f"u{i}@example.org")
            for i, name in enumerate(names)
        ]
        team = factories.make_team(*people, managers=[manager], slug="research")
        today = timezone.localdate()
        curricula = []
        for n, rule in enumerate(["all", "all_core", "core_practitioner_summary"]):
            c = factories.make_curriculum_with_entries(12, slug=f"c{n}", completion_rule=rule)
            curricula.append(c)
        windows = [(-30, 30), (-60, -1), (3, 40)]
        for c, (start, due) in zip(curricula, windows, strict=True):
            team_services.assignment_create(
                actor=manager,
                team=team,
                curriculum=c,
                start_date=today + dt.timedelta(days=start),
                due_date=today + dt.timedelta(days=due),
            )
        # Personal: one replaces the team's (an earlier window), one adds a curriculum.
        team_services.assignment_create(
            actor=manager,
            team=team,
            curriculum=curricula[0],
            start_date=today - dt.timedelta(days=7),
            due_date=today + dt.timedelta(days=7),
            user=people[1],
        )
        extra = factories.make_curriculum_with_entries(6, slug="extra", completion_rule="all")
        team_services.assignment_create(
            actor=manager,
            team=team,
            curriculum=extra,
            start_date=today - dt.timedelta(days=3),
            due_date=today + dt.timedelta(days=3),
            user=people[2],
        )
        rows = []
        for person in people[:-2]:  # the last two read nothing
            for c in [*curricula, extra]:
                entries = list(c.entries.order_by("position"))
                for e in rng.sample(entries, rng.randint(0, len(entries))):
                    ago = dt.timedelta(days=rng.randint(0, 3))
                    rows.append(
                        Progress(
                            user=person,
                            resource_id=e.resource_id,
                            status="done",
                            finished_at=NOW - ago,
                            updated_at=NOW - ago,
                        )
                    )
        Progress.objects.bulk_create(rows)  # one recount below instead of one per status
        # Last activity: long ago, exactly at the stalled boundary (14 days), just after it.
        for person, days, seconds in [(people[3], 30, 0), (people[4], 14, 0), (people[5], 13, 1)]:
            Progress.objects.filter(user=person).update(
                updated_at=NOW - dt.timedelta(days=days, seconds=seconds)
            )
        tallies.refresh()
    return team, people, [*curricula, extra]


def python_rows(team):
    """Each row as the Python rules give it: (pair) → (percent, done, total, tier, state,
    expected, finished, notes)."""
    assignments = list(selectors.team_assignments(team))
    members = {p.pk for p in team.people.filter(memberships__role="member")}
    effective = selectors._effective(assignments, team, members)
    curricula = {a.curriculum for a in assignments}
    lines = read_lines(sorted(members), [c.pk for c in curricula])
    cells = progress_many(sorted(members), curricula, pairs=sorted(effective), lines=lines)
    now = timezone.now()
    today = timezone.localdate(now)
    out = {}
    for key, a in effective.items():
        cell, line = cells[key], lines.get(key, NO_LINE)
        tier = cell.current_tier
        out[key] = (
            cell.percent,
            cell.done,
            cell.total,
            tier.pk if tier else None,
            selectors.state_of(cell, a, line.last_activity, now),
            selectors.expected_percent(a.start_date, a.due_date, today),
            sum(line.done.values()),
            line.notes,
        )
    return out


def sql_rows(team, **filters):
    rows = selectors.dashboard(team, selectors.Filters.from_query(filters)).rows
    return {
        (r.person.pk, r.curriculum.pk): (
            r.cell.percent,
            r.cell.done,
            r.cell.total,
            r.cell.current_tier.pk if r.cell.current_tier else None,
            r.state,
            r.expected,
            r.finished,
            r.notes,
        )
        for r in rows
    }


@pytest.mark.parametrize("days", [0, 1, 5, 14, 15, 40, 70])
def test_the_databases_rows_are_the_python_rules(world, settings, days):
    """On days before, inside and after the windows, and around the stalled boundary."""
    settings.READLIST_STALLED_DAYS = 14
    team, _, _ = world
    with time_machine.travel(NOW + dt.timedelta(days=days), tick=False):
        expected = python_rows(team)
        assert sql_rows(team) == expected
    assert len(expected) == 9 * 3 + 1


def test_changed_dates_change_states_with_no_recount(world, manager):
    team, _, curricula = world
    with time_machine.travel(NOW, tick=False):
        before = sql_rows(team)
        a = Assignment.objects.get(team=team, curriculum=curricula[1])
        team_services.assignment_update(
            actor=manager,
            assignment=a,
            start_date=a.start_date,
            due_date=timezone.localdate() + dt.timedelta(days=60),
        )
        after = sql_rows(team)
        assert after == python_rows(team)
        assert {s[4] for k, s in before.items() if k[1] == curricula[1].pk} >= {"overdue"}
        assert "overdue" not in {s[4] for k, s in after.items() if k[1] == curricula[1].pk}


@pytest.mark.parametrize("sort", selectors.SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_orders_and_its_pages_hold_everyone_once(world, sort, descending):
    team, _, _ = world
    with time_machine.travel(NOW, tick=False):
        filters = selectors.Filters(sort=sort, descending=descending)
        rows = selectors.dashboard(team, filters).rows
        everyone = list(rows)
        pages = [r for start in range(0, len(rows), 4) for r in rows[start : start + 4]]
        # A page read with the counts (one query) is the same page.
        read = [
            r
            for start in range(0, len(rows), 4)
            for r in selectors.dashboard(team, filters, page=(start, 4)).rows[start : start + 4]
        ]
    assert [(r.person.pk, r.curriculum.pk, r.cell) for r in read] == [
        (r.person.pk, r.curriculum.pk, r.cell) for r in pages
    ]
    key = {
        "name": lambda r: r.name.lower(),
        "curriculum": lambda r: r.curriculum.title,
        "progress": lambda r: r.cell.percent,
        "tier": lambda r: (
            tier_place(r.cell.current_tier.pk) if r.cell.current_tier else (1 << 30, 0)
        ),
        "activity": lambda r: r.last_activity.timestamp() if r.last_activity else 0,
        "notes": lambda r: r.notes,
        "due": lambda r: r.assignment.due_date,
        "state": lambda r: (list(board.STATES).index(r.state), r.cell.percent),
    }[sort]
    keys = [key(r) for r in everyone]
    assert keys == sorted(keys, reverse=descending)
    pairs = [(r.person.pk, r.curriculum.pk) for r in pages]
    assert pairs == [(r.person.pk, r.curriculum.pk) for r in everyone]
    assert len(set(pairs)) == len(pairs) == 28


def tier_place(pk):
    from curricula.models import Tier

    t = Tier.objects.get(pk=pk)
    return (t.position, t.number)


def test_search_takes_wildcards_literally(world):
    team, people, _ = world
    with time_machine.travel(NOW, tick=False):
        found = {u for u, _ in sql_rows(team, q="_")}
        assert found == {people[3].pk, people[5].pk}
        assert {u for u, _ in sql_rows(team, q="%_")} == {people[3].pk}
        assert sql_rows(team, q="\\") == {}
        assert {u for u, _ in sql_rows(team, q="ANN")} == {people[0].pk, people[7].pk}
        # No name: found by the username shown in its place.
        assert {u for u, _ in sql_rows(team, q="user6")} == {people[6].pk}


def test_counts_are_the_whole_teams_whatever_the_filter(world):
    team, _, _ = world
    with time_machine.travel(NOW, tick=False):
        whole = selectors.dashboard(team)
        some = selectors.dashboard(team, selectors.Filters(state="overdue", q="ann"))
        assert some.counts == whole.counts and sum(whole.counts.values()) == whole.total == 28
        assert whole.people == 9
        states = [r.state for r in whole.all_rows]
        assert whole.counts == {s: states.count(s) for s in board.STATES}
        assert (
            len(some.rows)
            == len(list(some.rows))
            == sum(1 for r in whole.rows if r.state == "overdue" and "ann" in r.name.lower())
        )
        assert len(list(some.all_rows)) == 28


@pytest.mark.usefixtures("world")
def test_a_large_csv_is_streamed_with_the_same_rows(client, manager, monkeypatch):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        whole = client.get("/teams/research/dashboard.csv?sort=-progress")
        monkeypatch.setattr(views, "STREAM_ROWS", 5)
        monkeypatch.setattr(board, "CHUNK", 3)  # several fetches from the server-side cursor
        streamed = client.get("/teams/research/dashboard.csv?sort=-progress")
    assert not isinstance(whole, StreamingHttpResponse)
    assert isinstance(streamed, StreamingHttpResponse)
    text = b"".join(streamed.streaming_content).decode()
    assert text == whole.content.decode()
    assert streamed["Content-Disposition"] == whole["Content-Disposition"]
    assert len(list(csv.reader(io.StringIO(text)))) == 28 + 1
