"""The managers' pages run the same number of queries for a small team and a big one."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.utils import timezone

from curricula.models import Curriculum
from notes import cached, tallies
from notes.models import Activity, Note, Progress
from teams.models import Assignment, Membership, Team
from teams.views import PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db

RULES = ["all", "all_core", "core_practitioner_summary"]


@pytest.fixture(params=[(3, 10), (40, 200)], ids=["3x10", "40x200"])
def world(request, manager):
    """N people × 3 curricula of M entries (one per rule); progress, notes, activity for each."""
    people_n, size = request.param
    rng = random.Random(people_n)
    team = Team.objects.create(name="Big", slug="big")
    people = [factories.make_user(f"p{people_n}-{i}") for i in range(people_n)]
    Membership.objects.bulk_create(
        [Membership(team=team, user=p) for p in people]
        + [Membership(team=team, user=manager, role="manager")]
    )
    now = timezone.now()
    today = timezone.localdate()
    for n, rule in enumerate(RULES):
        c = factories.make_curriculum_with_entries(size, slug=f"c{n}", completion_rule=rule)
        Assignment.objects.create(
            team=team,
            curriculum=c,
            start_date=today - dt.timedelta(days=30),
            due_date=today + dt.timedelta(days=30 * (n + 1) - 45),
        )
        entries = list(c.entries.all())
        tiers = list(c.tiers.all())
        for p in people:
            picked = rng.sample(entries, rng.randint(0, size))
            Progress.objects.bulk_create(
                Progress(
                    user=p,
                    resource_id=e.resource_id,
                    status="done",
                    finished_at=now - dt.timedelta(days=rng.randint(0, 60)),
                    updated_at=now,
                )
                for e in picked
            )
            Note.objects.bulk_create(
                [
                    Note(
                        user=p,
                        kind="tier",
                        tier=t,
                        curriculum=c,
                        body="sum",
                        updated_at=now,
                        visibility="team",
                    )
                    for t in tiers[:1]
                ]
                + [
                    Note(
                        user=p,
                        kind="resource",
                        resource_id=e.resource_id,
                        entry=e,
                        curriculum=c,
                        body="note",
                        updated_at=now,
                        visibility=rng.choice(["team", "private"]),
                    )
                    for e in picked[:3]
                ]
            )
            Activity.objects.bulk_create(
                Activity(
                    user=p,
                    verb="status",
                    curriculum=c,
                    entry=e,
                    to_status="done",
                    created_at=now - dt.timedelta(days=rng.randint(0, 30)),
                )
                for e in picked[:5]
            )
    tallies.refresh()  # bulk_create sends no signals
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}
    return team, people


def test_dashboard_queries_do_not_grow(client, manager, world, django_assert_max_num_queries):
    _team, people = world
    client.force_login(manager)
    for url, queries in (
        ("/teams/big/", 7),
        ("/teams/big/?sort=-progress&state=behind", 7),
        ("/teams/big/?sort=name&page=2", 7 if len(people) * 3 > PAGE_SIZE else 8),
        ("/teams/big/dashboard.csv", 8),
    ):
        # Session, user, team, assignments, the curricula's shapes (2), the counts with the
        # chart's weeks and the page's rows (the CSV reads its rows apart; a page number past the
        # last reads the last page apart): 7 for 3 people or 40, as for 1,000.
        with django_assert_max_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200
    # A page of rows; the pages together hold everyone once, and the counts are the team's.
    total = len(people) * 3
    html = client.get("/teams/big/").content.decode()
    assert html.count('<tr class="row-') == min(PAGE_SIZE, total)
    counts = re.findall(r'class="state state-\w+" href="\?state=\w+">[^<:]+: (\d+)<', html)
    assert sum(map(int, counts)) == total
    seen, page = [], 1
    while True:
        html = client.get(f"/teams/big/?sort=name&page={page}").content.decode()
        seen += re.findall(r'<tr class="row-\w+"><th scope="row"><a href="([^"]+)">', html)
        if 'rel="next"' not in html:
            break
        page += 1
    assert len(seen) == total and len(set(seen)) == len(people)
    # A bad page number shows a page, not an error; the filters stay in the page links.
    assert client.get("/teams/big/?page=zzz").status_code == 200
    assert client.get("/teams/big/?page=99999").status_code == 200
    if total > PAGE_SIZE:
        html = client.get("/teams/big/?sort=-progress").content.decode()
        assert 'href="?sort=-progress&amp;page=2" rel="next"' in html


def test_member_page_queries_do_not_grow(client, manager, world, django_assert_max_num_queries):
    _team, people = world
    client.force_login(manager)
    # 12: two of them read the curricula's shapes (tiers and entry counts), once for the
    # progress and "what is next" alike; kept by the lists' versions, so not again next time.
    cached.memo.clear()
    with django_assert_max_num_queries(12):
        assert client.get(f"/teams/big/people/{people[0].pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/teams/big/people/{people[1].pk}/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(f"/teams/big/people/{people[0].pk}/detail.csv").status_code == 200


def test_list_pages_queries_do_not_grow(client, manager, world, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(4):
        assert client.get("/teams/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get("/teams/big/assignments/").status_code == 200
    edit = f"/teams/big/assignments/{world[0].assignments.first().pk}/edit"
    with django_assert_max_num_queries(4):
        assert client.get(edit).status_code == 200


def test_an_assigned_members_pages_read_their_deadline_in_constant_queries(
    client, world, django_assert_max_num_queries
):
    """Their "where I stand" is the manager's computation (member_deadlines), with the lists'
    shapes kept by version as the pages keep them: three queries (the assignments, the lists,
    the tally lines), not five."""
    _team, people = world
    for curriculum in Curriculum.objects.filter(slug__in=["c0", "c1", "c2"]):
        factories.make_enrollment(people[0], curriculum, source="assigned")
    client.force_login(people[0])
    for url, limit in (("/curricula/c0/", 9), ("/", 13)):
        client.get(url)  # the lists' shapes are kept from the first view
        with django_assert_max_num_queries(limit):
            response = client.get(url)
        assert response.status_code == 200
        assert b'class="deadline deadline-' in response.content, url
