"""A team: a manager, two members, an outsider; a curriculum assigned to the team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from teams import services
from tests import factories


@pytest.fixture
def manager(db):
    return factories.make_user("boss", first_name="Max", last_name="Manager")


@pytest.fixture
def alice(db):
    return factories.make_user("alice", first_name="Alice", last_name="Adams")


@pytest.fixture
def bob(db):
    return factories.make_user("bob", first_name="Bob", last_name="Brown")


@pytest.fixture
def team(manager, alice, bob):
    return factories.make_team(alice, bob, managers=[manager], name="Research", slug="research")


@pytest.fixture
def course(db):
    """Two tiers of "every entry" reading: tier 1 has 2 entries, tier 2 has 2 (one link-less)."""
    c = factories.make_curriculum(slug="course", title="Course", completion_rule="all")
    t1 = factories.make_tier(c, 1, title="Basics")
    t2 = factories.make_tier(c, 2, title="More")
    factories.make_entry(c, "First paper", tier=t1, role="core", position=1)
    factories.make_entry(c, "Second paper", tier=t1, role="practitioner", position=2)
    factories.make_entry(c, "Third paper", tier=t2, role="core", position=3)
    factories.make_entry(c, "A talk", tier=t2, role="core", resource=None, position=4)
    return c


@pytest.fixture
def entries(course):
    return list(course.entries.order_by("position"))


@pytest.fixture
def assignment(team, course, manager):
    today = timezone.localdate()
    return services.assignment_create(
        actor=manager,
        team=team,
        curriculum=course,
        start_date=today - dt.timedelta(days=10),
        due_date=today + dt.timedelta(days=10),
    )


@pytest.fixture
def eager(django_capture_on_commit_callbacks):
    """Run the mail task in-process once the transaction commits, as a worker would."""
    from readlist.celery import app

    app.conf.task_always_eager = True
    try:
        yield django_capture_on_commit_callbacks
    finally:
        app.conf.task_always_eager = False


@pytest.fixture
def note(alice, entries):
    """A note of Alice's shared with her team, on the first entry."""
    return factories.make_note(alice, entries[0], "Scaling laws, my take", visibility="team")
