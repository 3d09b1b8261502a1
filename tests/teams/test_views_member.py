"""One person's page: tier grid, timeline, notes shared with the team (never private ones),
what is next, and their CSV."""

from __future__ import annotations

import csv
import io

import pytest

from notes import services as notes_services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def read(alice, assignment, entries):
    notes_services.progress_set(actor=alice, entry=entries[0], status="done")
    notes_services.progress_set(actor=alice, entry=entries[1], status="reading")
    factories.make_note(alice, entries[0], "**Shared** insight", visibility="team")
    factories.make_note(alice, entries[1], "private musing")
    return entries


def test_member_page_shows_grid_next_timeline_and_shared_notes(client, manager, alice, read):
    client.force_login(manager)
    html = client.get(f"/teams/research/people/{alice.pk}/").content.decode()
    assert "<h1>Alice Adams</h1>" in html
    grid = html[html.index('class="tier-grid"') :]
    assert "Tier 1 — Basics</th><td>1</td><td>2</td><td>50%" in grid
    nxt = html[html.index("What is next") :]
    assert nxt.index("Second paper") < nxt.index("Third paper")
    assert "First paper" not in nxt[: nxt.index("</ol>")]
    assert "<strong>Shared</strong> insight" in html
    timeline = html[html.index("<h2>Activity</h2>") :]
    assert "marked <strong>First paper</strong> done" in timeline
    assert "was assigned Course" in timeline


def test_the_timeline_names_statuses_in_words(client, manager, alice, read):
    notes_services.progress_set(actor=alice, entry=read[1], status="to_read")
    client.force_login(manager)
    html = client.get(f"/teams/research/people/{alice.pk}/").content.decode()
    timeline = html[html.index("<h2>Activity</h2>") :]
    assert "marked <strong>Second paper</strong> to read (was reading)" in timeline
    assert "toread" not in timeline


def test_private_notes_and_their_saves_never_show(client, manager, alice, read):
    client.force_login(manager)
    html = client.get(f"/teams/research/people/{alice.pk}/").content.decode()
    assert "private musing" not in html
    timeline = html[html.index("<h2>Activity</h2>") :]
    assert timeline.count("saved a note") == 1  # the shared one only


def test_member_page_of_someone_with_nothing_assigned(client, manager, team):
    carol = factories.make_user("carol")
    factories.make_team(carol)  # in another team only
    client.force_login(manager)
    assert client.get(f"/teams/research/people/{carol.pk}/").status_code == 404


def test_member_csv_lists_every_entry_with_status(client, manager, alice, read):
    client.force_login(manager)
    response = client.get(f"/teams/research/people/{alice.pk}/detail.csv")
    assert 'filename="research-alice.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["entry"], r["status"]) for r in rows] == [
        ("First paper", "done"),
        ("Second paper", "reading"),
        ("Third paper", "to_read"),
        ("A talk", "to_read"),
    ]
    assert rows[0]["finished_at"] and not rows[1]["finished_at"]


def test_member_csv_cells_cannot_run_as_formulas(client, manager, alice, assignment, course):
    factories.make_entry(course, "@SUM(A1:A2)", position=99)
    client.force_login(manager)
    text = client.get(f"/teams/research/people/{alice.pk}/detail.csv").content.decode()
    assert "'@SUM(A1:A2)" in text
