"""The dashboard's figures are kept under the team's BoardVersion (teams.selectors.memo), which
the database raises on every write that can change them (teams migration 0008). After every
kind of write, what a manager sees equals a fresh count; an unchanged team's second view reads
nothing but the team; and the counts equal a plain recount by the Python rules through a long
run of varied writes."""

from __future__ import annotations

import collections
import datetime as dt
import random
import re
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from curricula.models import Entry, Revision, Tier
from curricula.services import curriculum_import
from notes import services as notes_services
from notes import tallies
from notes.models import Progress, ProgressTally
from teams import access, board, selectors
from teams import services as team_services
from teams.models import Assignment, BoardVersion, Membership
from tests import factories
from tests.teams.random_writes import Writes, curricula_by_rule
from tests.teams.test_dashboard_selection import python_rows

# Committed writes, as in production: PostgreSQL changes a version when its write commits,
# and nothing read inside a transaction is kept.
pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))

LIST = """# Course

## Tier 1: Basics

- [Paper one](https://example.org/one)
- [Paper two](https://example.org/two)
- [Paper three](https://example.org/three)

## Tier 2: More

- [Paper four](https://example.org/four)
- [Paper five](https://example.org/five)
"""


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def w(frozen, manager, alice, bob):
    """Research: Alice, Bob and Carol (who has read nothing: no tally line), an imported
    Course assigned to the team, and a bulk-built Rules; Bob is in Other too."""
    carol = factories.make_user("carol", first_name="Carol", last_name="Chen")
    team = factories.make_team(alice, bob, carol, managers=[manager], slug="research")
    other = factories.make_team(bob, managers=[manager], slug="other")
    curriculum_import(actor=None, text=LIST, slug="course")
    from curricula.models import Curriculum

    course = Curriculum.objects.get(slug="course")
    rules = factories.make_curriculum_with_entries(6, slug="rules", completion_rule="all_core")
    today = timezone.localdate()
    assigned = team_services.assignment_create(
        actor=manager,
        team=team,
        curriculum=course,
        start_date=today - dt.timedelta(days=10),
        due_date=today + dt.timedelta(days=10),
    )
    entries = list(Entry.objects.filter(curriculum=course).order_by("position"))
    for e in entries[:3]:
        notes_services.progress_set(actor=alice, entry=e, status="done")
    notes_services.progress_set(actor=bob, entry=entries[0], status="reading")
    return SimpleNamespace(
        team=team,
        other=other,
        manager=manager,
        alice=alice,
        bob=bob,
        carol=carol,
        course=course,
        rules=rules,
        assigned=assigned,
        entries=entries,
        frozen=frozen,
    )


def figures(b: selectors.Dashboard) -> tuple:
    """Everything the page shows of a dashboard: counts, chart, and its page's rows."""
    rows = tuple(
        (
            r.person.pk,
            r.name,
            r.person.email,
            r.curriculum.pk,
            r.curriculum.title,
            r.assignment.pk,
            r.assignment.due_date,
            r.cell.done,
            r.cell.total,
            r.cell.percent,
            str(r.cell.current_tier) if r.cell.current_tier else None,
            tuple((t.done, t.total) for t in r.cell.tiers),
            r.notes,
            r.last_activity,
            r.state,
            r.expected,
            r.finished,
        )
        for r in b.rows[0:50]
    )
    return (dict(b.counts), b.total, b.people, tuple(b.weekly), rows)


def seen(w) -> tuple:
    """As the view reads it: the team with its BoardVersion first, then the kept figures."""
    team = access.get_team_for_manager(w.manager, w.team.slug)
    return figures(selectors.dashboard(team, page=(0, 50), version=team.board_version))


def fresh(w) -> tuple:
    """Counted now, nothing kept."""
    return figures(selectors.dashboard(w.team, page=(0, 50)))


def _today(days: int = 0) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _import_without(w, title: str) -> None:
    text = "\n".join(line for line in LIST.splitlines() if title not in line) + "\n"
    curriculum_import(actor=None, text=text, slug="course")


def _import_with_more(w) -> None:
    curriculum_import(
        actor=None, text=LIST + "- [Paper six](https://example.org/six)\n", slug="course"
    )


def _leave(w) -> None:
    Membership.objects.filter(team=w.team, user=w.bob).delete()


def _bulk(w) -> None:
    Progress.objects.bulk_create(
        Progress(
            user=w.carol, resource_id=e.resource_id, status="done", finished_at=NOW, updated_at=NOW
        )
        for e in w.entries[:4]
    )
    tallies.refresh()  # as `manage.py tallies` after a bulk load


def _rename(w) -> None:
    w.alice.first_name = "Alicia"
    w.alice.save()


def _relabel(w) -> None:
    Tier.objects.filter(curriculum=w.course).update(label="Renamed")


def _rule(w) -> None:
    w.course.completion_rule = "core_practitioner_summary"
    w.course.save()


def _retitle(w) -> None:
    w.course.title = "A course"
    w.course.save()


def _retire_by_hand(w) -> None:
    revision = Revision.objects.create(curriculum=w.course, number=9, sha256="x", source_text="")
    entry = w.entries[0]
    entry.retired_in = revision
    entry.save()


def _tally_by_sql(w) -> None:
    # What `manage.py tallies --repair` or any statement that bypasses the models does.
    ProgressTally.objects.filter(user=w.alice).update(notes=7)


WRITES = {
    "progress marked": lambda w: notes_services.progress_set(
        actor=w.bob, entry=w.entries[1], status="done"
    ),
    "progress unmarked": lambda w: notes_services.progress_set(
        actor=w.alice, entry=w.entries[0], status="to_read"
    ),
    "note shared": lambda w: factories.make_note(w.bob, w.entries[0], visibility="team"),
    "assigned to the team": lambda w: team_services.assignment_create(
        actor=w.manager, team=w.team, curriculum=w.rules, start_date=_today(-1), due_date=_today(1)
    ),
    "assigned to one person": lambda w: team_services.assignment_create(
        actor=w.manager,
        team=w.team,
        curriculum=w.course,
        start_date=_today(-30),
        due_date=_today(-2),
        user=w.carol,
    ),
    "assignment's dates changed": lambda w: team_services.assignment_update(
        actor=w.manager, assignment=w.assigned, start_date=_today(-20), due_date=_today(-1)
    ),
    "unassigned": lambda w: team_services.assignment_delete(actor=w.manager, assignment=w.assigned),
    "a member joins": lambda w: team_services.membership_add(
        actor=w.manager, team=w.team, user=factories.make_user("dan", first_name="Dan")
    ),
    "a member leaves": _leave,
    "a member becomes a manager": lambda w: Membership.objects.filter(
        team=w.team, user=w.bob
    ).update(role="manager"),
    "a member renamed": _rename,
    "an entry retired by a revision": lambda w: _import_without(w, "Paper one"),
    "an entry added by a revision": _import_with_more,
    "an entry retired by hand": _retire_by_hand,
    "a tier relabelled in bulk": _relabel,
    "the completion rule changed": _rule,
    "the curriculum retitled": _retitle,
    "a bulk load and a recount": _bulk,
    "a tally line written by SQL": _tally_by_sql,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_after_every_kind_of_write_the_figures_are_a_fresh_count(w, write):
    before = seen(w)
    assert seen(w) == before == fresh(w)
    version = selectors.board_version(w.team.pk)
    write(w)
    assert selectors.board_version(w.team.pk) != version
    after = seen(w)
    assert after == fresh(w)
    assert after != before  # each write changes something the page shows


def test_writes_elsewhere_leave_the_figures_right(w):
    """Another team's assignment, a person outside the team, a login: the figures stay what a
    fresh count gives (the version may move: a new key costs a count, never a wrong figure)."""
    before = seen(w)
    team_services.assignment_create(
        actor=w.manager,
        team=w.other,
        curriculum=w.rules,
        start_date=_today(-1),
        due_date=_today(1),
        user=w.bob,
    )
    stranger = factories.make_user("stranger")
    notes_services.progress_set(actor=stranger, entry=w.entries[1], status="done")
    version = selectors.board_version(w.team.pk)
    w.alice.last_login = timezone.now()
    w.alice.save(update_fields=["last_login"])
    assert selectors.board_version(w.team.pk) == version  # a login is not a change
    assert seen(w) == fresh(w) == before


def test_a_new_day_is_a_new_count(w):
    before = seen(w)
    w.frozen.shift(dt.timedelta(days=12))  # past the due date: overdue
    after = seen(w)
    assert after == fresh(w) and after != before
    assert set(after[0]) == set(board.STATES) and after[0]["overdue"] > 0


def test_nothing_read_inside_a_transaction_is_kept(w):
    """Inside a transaction its own writes are seen before their version changes (at commit on
    PostgreSQL), and may roll back: what is read there is counted, never kept."""
    from django.db import transaction

    before = seen(w)
    with transaction.atomic():
        notes_services.progress_set(actor=w.bob, entry=w.entries[1], status="done")
        inside = seen(w)
        assert inside == fresh(w) != before
    assert seen(w) == fresh(w) == inside
    with pytest.raises(RuntimeError), transaction.atomic():
        notes_services.progress_set(actor=w.bob, entry=w.entries[2], status="done")
        assert seen(w) == fresh(w) != inside
        raise RuntimeError
    assert seen(w) == fresh(w) == inside
    notes_services.progress_set(actor=w.bob, entry=w.entries[3], status="done")
    assert seen(w) == fresh(w) != inside


def test_a_version_changes_when_its_write_commits(w):
    """Not before: a view in between keeps the figures as they were, under the old version."""
    from django.db import transaction

    version = selectors.board_version(w.team.pk)
    with transaction.atomic():
        notes_services.progress_set(actor=w.bob, entry=w.entries[1], status="done")
        if connection.vendor == "postgresql":
            assert selectors.board_version(w.team.pk) == version
    assert selectors.board_version(w.team.pk) != version


def test_an_unchanged_teams_second_view_reads_only_the_team(client, w, django_assert_num_queries):
    client.force_login(w.manager)
    postgres = connection.vendor == "postgresql"
    # Session, user, team (with its version), assignments, the curricula's shapes (2), the
    # figures with the page; on PostgreSQL the team's rows kept (teams.kept: rows with their
    # week lines, members) and the page's rows.
    with django_assert_num_queries(9 if postgres else 7):
        first = client.get("/teams/research/?sort=-progress")
    with django_assert_num_queries(3):
        second = client.get("/teams/research/?sort=-progress")
    strip = re.compile(r"chart-\d+|[A-Za-z0-9]{64}")
    assert strip.sub("", second.content.decode()) == strip.sub("", first.content.decode())
    notes_services.progress_set(actor=w.bob, entry=w.entries[1], status="done")
    # The shapes are still current (content_version): the assignments and figures are read;
    # on PostgreSQL the log since, Bob's rows with their week lines, and his page rows.
    with django_assert_num_queries(6 if postgres else 5):
        third = client.get("/teams/research/?sort=-progress")
    selectors.memo.clear()
    counted = client.get("/teams/research/?sort=-progress")
    assert strip.sub("", third.content.decode()) == strip.sub("", counted.content.decode())
    assert strip.sub("", third.content.decode()) != strip.sub("", first.content.decode())


def test_the_triggers_raise_every_team_of_the_person(w):
    """Bob is in both teams: his progress raises both; Alice's only hers."""
    versions = dict(BoardVersion.objects.values_list("team_id", "version"))
    notes_services.progress_set(actor=w.bob, entry=w.entries[4], status="done")
    raised = dict(BoardVersion.objects.values_list("team_id", "version"))
    assert raised[w.team.pk] != versions.get(w.team.pk)
    assert raised[w.other.pk] != versions.get(w.other.pk)
    notes_services.progress_set(actor=w.alice, entry=w.entries[4], status="done")
    again = dict(BoardVersion.objects.values_list("team_id", "version"))
    assert again[w.other.pk] == raised[w.other.pk] and again[w.team.pk] != raised[w.team.pk]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_counts_stay_a_plain_recount_through_varied_writes(frozen, manager, seed):
    """Random people, curricula, assignments (team and personal) and writes of every kind; after
    each, the kept counts and rows equal the Python rules' recount (teams.selectors.state_of
    over notes.progress), and the kept figures a fresh count."""
    rng = random.Random(seed)
    people = [factories.make_user(f"p{seed}-{i}", first_name=f"P{i}") for i in range(6)]
    team = factories.make_team(*people[:5], managers=[manager], slug="varied")
    curricula = curricula_by_rule(f"v{seed}", team, manager, first_start=5)
    w = SimpleNamespace(team=team, manager=manager)
    members = lambda: list(  # noqa: E731
        team.people.filter(memberships__team=team, memberships__role="member")
    )

    def note():
        entry = rng.choice(list(rng.choice(curricula).entries.all()))
        factories.make_note(rng.choice(people), entry, visibility=rng.choice(["team", "private"]))

    def personal():
        person = rng.choice(members() or people[:1])
        c = rng.choice(curricula)
        if (
            not Assignment.objects.filter(user=person, curriculum=c).exists()
            and Membership.objects.filter(team=team, user=person).exists()
        ):
            team_services.assignment_create(
                actor=manager,
                team=team,
                curriculum=c,
                start_date=_today(-rng.randint(0, 30)),
                due_date=_today(rng.randint(-5, 30)),
                user=person,
            )

    def dates():
        a = rng.choice(list(Assignment.objects.filter(curriculum__in=curricula)))
        start = _today(-rng.randint(0, 40))
        team_services.assignment_update(
            actor=manager, assignment=a, start_date=start, due_date=start + dt.timedelta(days=20)
        )

    def later():
        frozen.shift(dt.timedelta(days=rng.randint(1, 9)))

    shared = Writes(rng, team, manager, people, curricula)
    mark = shared.mark
    writes = [mark, mark, mark, note, personal, dates, shared.join_or_leave, shared.retire, later]
    for _ in range(14):
        rng.choice(writes)()
        kept = seen(w)
        assert kept == fresh(w)
        recount = python_rows(team)
        states = collections.Counter(row[4] for row in recount.values())
        assert kept[0] == {s: states.get(s, 0) for s in board.STATES}
        assert kept[1] == len(recount) and kept[2] == len(members())
        assert {(r[0], r[3]): (r[9], r[7], r[8], r[14], r[15], r[16], r[12]) for r in kept[4]} == {
            key: (v[0], v[1], v[2], v[4], v[5], v[6], v[7])
            for key, v in recount.items()
            if key in {(r[0], r[3]) for r in kept[4]}
        }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has a single writer: nothing to wait for"
)
def test_a_revision_and_a_progress_mark_at_once_both_commit(w):
    """An entry changed (its curriculum's version, then this team's) and the recount after it,
    in one transaction, while a member marks progress (notes' tally lock, then the team's
    version): were the team's version changed at once, each would wait for the other."""
    import threading
    import time

    from django.db import connections, transaction

    changed, errors = threading.Event(), []

    def revise():
        try:
            with transaction.atomic():
                Entry.objects.filter(pk=w.entries[3].pk).update(role="practitioner")
                changed.set()
                time.sleep(0.5)  # the mark takes notes' tally lock meanwhile
                tallies.refresh(curricula=[w.course.pk])
        except Exception as exc:
            errors.append(exc)
        finally:
            changed.set()
            connections.close_all()

    def mark():
        changed.wait(10)
        try:
            notes_services.progress_set(actor=w.bob, entry=w.entries[2], status="done")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=revise), threading.Thread(target=mark)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert seen(w) == fresh(w)
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}
