"""Fixtures for the integration tests: local servers play Slack and webhook receivers."""

from __future__ import annotations

import pytest

from integrations.models import Hook
from tests import factories
from tests.curricula.workers_support import fetch_local  # noqa: F401


@pytest.fixture
def team(db, owner, member):
    manager = factories.make_user("boss")
    return factories.make_team(member, owner, managers=[manager], name="Research")


@pytest.fixture
def make_hook(team, fetch_local, httpserver):  # noqa: F811
    def make(kind: str = "webhook", path: str = "/hook", **fields) -> Hook:
        fields.setdefault("events", ["weekly_summary"])
        return Hook.objects.create(team=team, kind=kind, url=httpserver.url_for(path), **fields)

    return make
