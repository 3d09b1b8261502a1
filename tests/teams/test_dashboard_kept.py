"""teams.kept: a team's rows kept per process and brought up to date from teams migration
0009's log of whose lines each version is about. Through runs of random writes of every kind,
its figures for every order (both ways), filter and page equal board.summary's count of the
whole team, and a write by one person reads again only that person's rows."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from notes import services as notes_services
from teams import access, board, kept, selectors
from teams import services as team_services
from teams.models import Assignment, Membership
from tests import factories
from tests.teams.random_writes import Writes, curricula_by_rule

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the log is PostgreSQL's (teams 0009)"
    ),
]

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
FILTERS = [
    selectors.Filters(sort=sort, descending=descending)
    for sort in selectors.SORTS
    for descending in (False, True)
] + [
    selectors.Filters(state="behind"),
    selectors.Filters(state="done", sort="name", descending=True),
    selectors.Filters(q="p1", sort="progress"),
    selectors.Filters(q="%", sort="activity"),
]


def _today(days: int = 0) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _kept_figures(team, filters, page):
    team = access.get_team_for_manager(team.manager_user, team.slug)
    live = selectors._kept(team, team.board_version, timezone.now())
    with live.lock:
        return live.summary(filters, page)


def _counted(team, filters, page):
    parts = selectors._parts(team)
    return board.summary(board.Query(team.pk, parts.shapes), filters, page)


def _same(a: board.Summary, b: board.Summary) -> None:
    assert a.counts == b.counts
    assert (a.total, a.shown, a.finished, a.since, a.people) == (
        b.total,
        b.shown,
        b.finished,
        b.since,
        b.people,
    )
    assert sorted(a.weeks) == sorted(b.weeks)
    assert a.page == b.page


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_figures_are_a_fresh_count_through_random_writes(manager, seed):
    rng = random.Random(seed)
    with time_machine.travel(NOW, tick=False):
        people = [
            factories.make_user(f"p{seed}-{i}", first_name=rng.choice(["Ann", "bo", "Cy", "ann"]))
            for i in range(9)
        ]
        team = factories.make_team(*people[:8], managers=[manager], slug="kept")
        team.manager_user = manager
        curricula = curricula_by_rule(f"k{seed}", team, manager, first_start=20)

        def note():
            entry = rng.choice(list(rng.choice(curricula).entries.all()))
            visibility = rng.choice(["team", "private"])
            factories.make_note(rng.choice(people), entry, visibility=visibility)

        def personal():
            person = rng.choice(people[:8])
            c = rng.choice(curricula)
            if (
                Membership.objects.filter(team=team, user=person).exists()
                and not Assignment.objects.filter(user=person, curriculum=c).exists()
            ):
                team_services.assignment_create(
                    actor=manager,
                    team=team,
                    curriculum=c,
                    start_date=_today(-rng.randint(0, 30)),
                    due_date=_today(rng.randint(-5, 30)),
                    user=person,
                )

        def rename():
            person = rng.choice(people)
            person.first_name = rng.choice(["Zed", "al", "Ann"])
            person.save()

        shared = Writes(rng, team, manager, people, curricula)
        writes = (
            [shared.mark] * 8 + [note] * 2 + [personal, shared.join_or_leave, shared.retire, rename]
        )
        for step in range(25):
            rng.choice(writes)()
            for filters in FILTERS if step % 5 == 4 else rng.sample(FILTERS, 4):
                for page in [(0, 5), (5, 5), (0, 50)]:
                    _same(_kept_figures(team, filters, page), _counted(team, filters, page))


def test_one_persons_write_reads_again_only_their_rows(manager, alice, bob, monkeypatch):
    team = factories.make_team(alice, bob, managers=[manager], slug="one")
    team.manager_user = manager
    course = factories.make_curriculum_with_entries(4, slug="one-course")
    team_services.assignment_create(
        actor=manager, team=team, curriculum=course, start_date=_today(-5), due_date=_today(5)
    )
    filters = selectors.Filters()
    first = _kept_figures(team, filters, (0, 50))
    built, reread = [], []
    monkeypatch.setattr(kept.Kept, "__init__", _spy(kept.Kept.__init__, built))
    monkeypatch.setattr(kept.Kept, "_reread", _spy(kept.Kept._reread, reread))
    notes_services.progress_set(actor=bob, entry=course.entries.first(), status="done")
    after = _kept_figures(team, filters, (0, 50))
    assert built == [] and [args[1] for args in reread] == [[bob.pk]]
    assert after != first
    _same(after, _counted(team, filters, (0, 50)))
    # Anything else than tally lines (a member renamed): the team is read again.
    alice.first_name = "Alicia"
    alice.save()
    _same(_kept_figures(team, filters, (0, 50)), _counted(team, filters, (0, 50)))
    assert len(built) == 1


def _spy(function, calls):
    def spied(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return spied


def test_a_write_off_the_page_draws_the_same_page_as_a_fresh_count(client, manager, monkeypatch):
    """The table drawn from a page's rows is kept with the team's rows: after a write by
    someone on another page it is not drawn again, and the page equals one counted afresh;
    after a write by someone on it, it is drawn again, and equals it too."""
    import re

    from teams import rendering, views

    people = [factories.make_user(f"m{i}", first_name=f"M{i}") for i in range(4)]
    team = factories.make_team(*people, managers=[manager], slug="paged")
    course = factories.make_curriculum_with_entries(4, slug="paged-course")
    team_services.assignment_create(
        actor=manager, team=team, curriculum=course, start_date=_today(-5), due_date=_today(5)
    )
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    drawn = []
    monkeypatch.setattr(rendering, "rows", _spy(rendering.rows, drawn))
    client.force_login(manager)
    strip = re.compile(r"chart-\d+|[A-Za-z0-9]{64}")

    def page() -> str:
        return strip.sub("", client.get("/teams/paged/?sort=name").content.decode())

    def counted() -> str:
        selectors.memo.clear()
        return page()

    first = page()
    entries = list(course.entries.all())
    notes_services.progress_set(actor=people[3], entry=entries[0], status="done")  # page 2
    before = len(drawn)
    assert page() == counted()
    assert len(drawn) == before + 1  # the fresh count's, not the kept view's
    notes_services.progress_set(actor=people[0], entry=entries[0], status="done")  # page 1
    before = len(drawn)
    after = page()
    assert len(drawn) == before + 1 and after != first
    assert after == counted()
