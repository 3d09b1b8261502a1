"""DATABASE_REPLICA_URL: the dashboard, its CSV and search read from the replica, except for a
person who has just written (pinned to the primary for READLIST_REPLICA_PIN_SECONDS)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests import factories

# Committed data: the replica is a second connection to the same test database.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup, django_db_blocker):
    """A "replica" alias: another connection to the test database, as a mirror would be. Made
    before each test's database setup, which checks the aliases a test names."""
    connections.settings["replica"] = {**connections["default"].settings_dict}
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]


@pytest.fixture
def replica(settings):
    settings.READLIST_REPLICA_ALIAS = "replica"
    return connections["replica"]


@pytest.fixture
def manager_and_team(db):
    manager, member = factories.make_user("boss"), factories.make_user("ann")
    curriculum = factories.make_curriculum_with_entries(3)
    team = factories.make_team(member, managers=[manager])
    return manager, team, curriculum


def queries_on(client, path: str, replica) -> tuple[int, int, int]:
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as copy,
    ):
        status = client.get(path).status_code
    return status, len(primary), len(copy)


def test_dashboard_and_search_read_the_replica_other_pages_the_primary(
    client, replica, manager_and_team
):
    manager, team, _ = manager_and_team
    client.force_login(manager)
    for path in (f"/teams/{team.slug}/", f"/teams/{team.slug}/dashboard.csv", "/search/?q=x"):
        status, on_primary, on_replica = queries_on(client, path, replica)
        assert status == 200, path
        assert on_replica > 0 and on_replica >= on_primary, (path, on_primary, on_replica)
    status, _, on_replica = queries_on(client, "/", replica)
    assert status == 200 and on_replica == 0


def test_after_a_write_the_person_reads_the_primary_until_the_pin_expires(
    client, replica, manager_and_team, settings
):
    manager, team, curriculum = manager_and_team
    client.force_login(manager)
    dashboard = f"/teams/{team.slug}/"
    with time_machine.travel("2026-11-30 10:00:00Z", tick=False) as clock:
        entry = curriculum.entries.first()
        assert client.post(f"/entries/{entry.pk}/status", {"status": "done"}).status_code == 302
        status, on_primary, on_replica = queries_on(client, dashboard, replica)
        assert status == 200 and on_replica == 0 and on_primary > 0
        clock.shift(settings.READLIST_REPLICA_PIN_SECONDS + 1)
        # The browser would drop the expired cookie; the server checks its time anyway.
        status, _, on_replica = queries_on(client, dashboard, replica)
        assert status == 200 and on_replica > 0


def test_without_a_replica_everything_reads_the_primary(client, manager_and_team):
    manager, team, _ = manager_and_team
    client.force_login(manager)
    with CaptureQueriesContext(connections["default"]) as primary:
        assert client.get(f"/teams/{team.slug}/").status_code == 200
    assert len(primary) > 0


@pytest.mark.parametrize("q", ["Entry", "zzyzx quokka"])
def test_search_reads_the_replica_for_all_it_finds(client, replica, manager_and_team, q):
    """The search's plain SQL (entries, notes, the spelling fallback's threshold) goes where
    the ORM's reads go, as the querysets it replaced did: nothing but the session's own
    bookkeeping on the primary."""
    manager, _, _ = manager_and_team
    factories.make_note(manager, manager_and_team[2].entries.first(), "Entry notes")
    client.force_login(manager)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as copy,
    ):
        assert client.get("/search/", {"q": q}).status_code == 200
    searched = [s["sql"] for s in copy.captured_queries]
    assert searched
    if replica.vendor == "postgresql":  # SQLite searches with the ORM's plain matches
        assert any("ts_rank" in sql for sql in searched)
        assert any("notes_search_entries" in sql for sql in searched)
    assert not [s["sql"] for s in primary.captured_queries if "search_doc" in s["sql"]]
    assert not [s["sql"] for s in primary.captured_queries if "notes_search" in s["sql"]]
    assert not [s["sql"] for s in primary.captured_queries if "set_config" in s["sql"]]
