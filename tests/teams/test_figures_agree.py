"""Every figure of the dashboard comes from one selection: the table, the weekly chart (and its
numbers), the heatmaps, the CSV and the managers' digest agree under every filter, and none of
them counts reading done in curricula the person was not assigned."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from curricula.models import Entry
from notes import services as notes_services
from notes import tallies
from notes.models import Progress
from teams import digests, selectors
from teams import services as team_services
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(frozen, manager, alice, bob):
    """Course (every entry) for the whole team; Rules (core + practitioner + summary) for
    Alice only, overdue; Elsewhere for nobody, read a lot by both; a paper in both Course and
    Elsewhere. Carol joins and reads nothing; Bob has been idle for three weeks."""
    carol = factories.make_user("carol", first_name="Carol", last_name="Chen")
    team = factories.make_team(alice, bob, carol, managers=[manager], slug="research")
    shared = factories.make_resource()
    course = factories.make_curriculum(slug="course", title="Course", completion_rule="all")
    rules = factories.make_curriculum(
        slug="rules", title="Rules", completion_rule="core_practitioner_summary"
    )
    elsewhere = factories.make_curriculum(slug="elsewhere", title="Elsewhere")
    for c in (course, rules, elsewhere):
        tiers = [factories.make_tier(c, n) for n in (1, 2)]
        for i, role in enumerate(["core", "practitioner", "optional", "core", "practitioner"]):
            link = {"resource": None} if i == 4 else {}  # a link-less entry counts on its own
            factories.make_entry(c, tier=tiers[i % 2], role=role, **link)
    factories.make_entry(course, tier=course.tiers.first(), role="core", resource=shared)
    factories.make_entry(elsewhere, role="core", resource=shared)
    today = timezone.localdate()
    team_services.assignment_create(
        actor=manager,
        team=team,
        curriculum=course,
        start_date=today - dt.timedelta(days=40),
        due_date=today + dt.timedelta(days=40),
    )
    team_services.assignment_create(
        actor=manager,
        team=team,
        curriculum=rules,
        start_date=today - dt.timedelta(days=60),
        due_date=today - dt.timedelta(days=2),
        user=alice,
    )
    # Reading spread over the weeks: done entries in every curriculum, some long ago, one done
    # with no finishing date (as rows from before dates were kept), some not done at all.
    plan = [
        (alice, course, 4, 3),
        (alice, rules, 3, 10),
        (alice, elsewhere, 6, 1),
        (bob, course, 2, 25),
        (bob, elsewhere, 5, 21),
    ]
    for person, c, n, days_ago in plan:
        for k, entry in enumerate(c.entries.order_by("position")[:n]):
            with time_machine.travel(NOW - dt.timedelta(days=days_ago + 7 * k), tick=False):
                notes_services.progress_set(actor=person, entry=entry, status="done")
    notes_services.progress_set(
        actor=alice, entry=course.entries.order_by("position")[5], status="reading"
    )
    undated = Progress.objects.filter(user=bob, finished_at__isnull=False).first()
    Progress.objects.filter(pk=undated.pk).update(finished_at=None)
    tallies.refresh(users=[bob.pk])
    factories.make_note(alice, rules.entries.order_by("position")[0], "a summary of sorts")
    return {"team": team, "curricula": [course, rules, elsewhere], "people": [alice, bob, carol]}


def naive_done(pairs):
    """Entries done per (person, curriculum), counted from the progress rows."""
    total = 0
    for user_id, curriculum_id in pairs:
        for e in Entry.objects.active().filter(curriculum_id=curriculum_id):
            target = {"resource_id": e.resource_id} if e.resource_id else {"entry_id": e.pk}
            total += Progress.objects.filter(user_id=user_id, status="done", **target).count()
    return total


def page_figures(client, query):
    html = client.get("/teams/research/?" + query).content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")] if "<tbody>" in html else ""
    table = sorted(re.findall(r'/people/\d+/">([^<]+)</a></th><td>([^<]+)</td>', body))
    percents = [int(p) for p in re.findall(r"</span> (\d+)%</td>", body)]
    heat = re.findall(r"<title>([^<,]+), [^<:]+: (\d+) of (\d+) \(\d+%\)</title>", html)
    numbers = re.findall(r"<tr><td>\d+ \w+ \d{4}</td><td>(\d+)</td></tr>", html)
    desc = re.search(r"(\d+) entries done by the week of", html)
    return {
        "table": table,
        "percents": percents,
        "heat_people": sorted({name for name, _, _ in heat}),
        "heat_done": sum(int(d) for _, d, _ in heat),
        "chart_last": int(numbers[-1]) if numbers else 0,
        "desc_last": int(desc.group(1)) if desc else 0,
    }


def csv_rows(client, query):
    text = client.get("/teams/research/dashboard.csv?" + query).content.decode()
    return list(csv.DictReader(io.StringIO(text)))


FILTERS = [
    dict(zip(("state", "curriculum", "q"), combo, strict=True))
    for combo in itertools.product(
        ["", *selectors.State.LABELS],
        ["", "course", "rules", "elsewhere"],
        ["", "alice", "carol", "nobody"],
    )
]


def test_every_figure_agrees_under_every_filter(client, manager, world):
    client.force_login(manager)
    ids = {p.pk: p for p in world["people"]}
    slugs = {c.pk: c.slug for c in world["curricula"]}
    seen_states = set()
    for params in FILTERS:
        query = "&".join(f"{k}={v}" for k, v in params.items() if v)
        board = selectors.dashboard(world["team"], selectors.Filters.from_query(params))
        pairs = {(r.person.pk, r.curriculum.pk) for r in board.rows}
        seen_states |= {r.state for r in board.rows}
        assert all(slugs[c] != "elsewhere" for _, c in pairs)  # never assigned
        rows = csv_rows(client, query)
        page = page_figures(client, query)
        names = {p.pk: selectors.Member.of(p).name for p in ids.values()}
        titles = {c.pk: c.title for c in world["curricula"]}
        expect_table = sorted((names[u], titles[c]) for u, c in pairs)
        assert sorted((r["person"], r["curriculum"]) for r in rows) == expect_table, query
        assert page["table"] == expect_table, query
        assert sorted(page["percents"]) == sorted(int(r["progress_percent"]) for r in rows)
        # The heatmaps show the same people and the same done steps as the table and CSV.
        assert page["heat_people"] == sorted({n for n, _ in expect_table}), query
        assert page["heat_done"] == sum(int(r["done"]) for r in rows), query
        # The chart ends at the entries these rows finished: nothing read elsewhere, nothing
        # of people or curricula filtered out.
        finished = sum(int(r["entries_finished"]) for r in rows)
        assert finished == naive_done(pairs), query
        if pairs:
            assert page["chart_last"] == page["desc_last"] == finished, query
            assert board.weekly[-1][1] == finished
        else:
            assert board.weekly == []
    assert {"overdue", "stalled", "on_track"} <= seen_states


def test_digest_names_the_dashboards_stalled_and_overdue_rows(client, manager, world):
    client.force_login(manager)
    wanted = []
    for state in ("overdue", "stalled"):
        wanted += [(r["person"], r["curriculum"]) for r in csv_rows(client, f"state={state}")]
    assert wanted  # the world has both
    assert digests.manager_digest_send(user=manager, period=dt.date(2026, 11, 16))
    body = mail.outbox[0].body
    listed = re.findall(r"  - ([^,]+), ([^:]+): ", body)
    assert sorted(listed) == sorted(wanted)


def test_a_persons_page_charts_only_their_assigned_reading(client, manager, alice, world):
    client.force_login(manager)
    page = selectors.member_page(world["team"], alice)
    pairs = {(alice.pk, r.curriculum.pk) for r in page["rows"]}
    assert {r.curriculum.slug for r in page["rows"]} == {"course", "rules"}
    assert page["weekly"][-1][1] == naive_done(pairs) == sum(r.finished for r in page["rows"])


def test_the_expected_tick_has_a_legend(client, manager, world):
    client.force_login(manager)
    html = client.get("/teams/research/").content.decode()
    assert "the tick is where they should be today" in html
