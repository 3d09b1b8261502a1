"""A small world for the API: a curriculum, a team (manager, owner, member), an outsider, an
admin; tokens and clients for each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from api import services as api_services
from teams import services as team_services
from tests import factories


@dataclass
class World:
    curriculum: Any
    tier: Any
    topic: Any
    entries: list
    team: Any
    owner: Any
    member: Any
    outsider: Any
    manager: Any
    admin: Any
    assignment: Any
    note: Any  # owner's private note on entries[0]
    shared: Any  # owner's team-visible note on entries[1]


@pytest.fixture
def world(db) -> World:
    c = factories.make_curriculum(slug="course", title="Course", completion_rule="all")
    tier = factories.make_tier(c, 1, title="Basics")
    topic = factories.make_topic(c, "Tokenisers", tier=tier, position=1)
    entries = [
        factories.make_entry(c, "First paper", tier=tier, topic=topic, role="core", position=1),
        factories.make_entry(c, "Second paper", tier=tier, topic=topic, role="core", position=2),
        factories.make_entry(c, "A talk", tier=tier, topic=topic, resource=None, position=3),
    ]
    owner = factories.make_user("owner")
    member = factories.make_user("member")
    outsider = factories.make_user("outsider")
    manager = factories.make_user("manager", first_name="Max", last_name="Manager")
    admin = factories.make_user("root", is_staff=True, is_superuser=True)
    team = factories.make_team(owner, member, managers=[manager], name="Research", slug="research")
    today = timezone.localdate()
    assignment = team_services.assignment_create(
        actor=manager,
        team=team,
        curriculum=c,
        start_date=today - dt.timedelta(days=10),
        due_date=today + dt.timedelta(days=30),
    )
    note = factories.make_note(owner, entries[0], "Private thoughts")
    shared = factories.make_note(owner, entries[1], "Shared thoughts", visibility="team")
    return World(
        c, tier, topic, entries, team, owner, member, outsider, manager, admin, assignment, note,
        shared,
    )  # fmt: skip


def bearer(user: Any, scope: str = "write") -> Client:
    _, secret = api_services.token_create(actor=user, name="test", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def session(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client
