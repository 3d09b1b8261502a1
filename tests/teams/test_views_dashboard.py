"""The team dashboard: rows per person and curriculum, states, sorting and filtering by query
string (no JavaScript needed), charts with text alternatives, and CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from notes import services as notes_services
from notes import tallies
from notes.models import Activity, Progress
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def progressed(alice, bob, assignment, entries):
    """Alice has read half (on track at 50% expected); Bob has done nothing for 20 days."""
    for e in entries[:2]:
        notes_services.progress_set(actor=alice, entry=e, status="done")
    factories.make_note(alice, entries[0], "worth it", visibility="team")
    factories.make_note(alice, entries[1], "my secret")
    notes_services.progress_set(actor=bob, entry=entries[0], status="reading")
    twenty_days_ago = timezone.now() - dt.timedelta(days=20)
    Activity.objects.filter(user=bob).update(created_at=twenty_days_ago)
    Progress.objects.filter(user=bob).update(updated_at=twenty_days_ago)
    tallies.refresh(users=[bob.pk])  # an update() sends no signal, as after any bulk write
    assignment.start_date = timezone.localdate() - dt.timedelta(days=20)
    assignment.due_date = timezone.localdate() + dt.timedelta(days=20)
    assignment.save()
    return assignment


def rows_of(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [chunk for chunk in body.split("<tr")[1:]]


def test_dashboard_shows_each_person_with_progress_and_state(client, manager, progressed):
    client.force_login(manager)
    html = client.get("/teams/research/").content.decode()
    rows = rows_of(html)
    assert len(rows) == 2
    # Default order: worst state first.
    assert "Bob Brown" in rows[0] and "Stalled" in rows[0] and "0%" in rows[0]
    assert "Alice Adams" in rows[1] and "On track" in rows[1] and "50%" in rows[1]
    assert "Tier 2" in rows[1]  # her current tier
    assert "<td>1</td>" in rows[1]  # notes shared: her private one is not counted
    assert "my secret" not in html


def test_sort_and_filter_by_query_string(client, manager, progressed):
    client.force_login(manager)
    html = client.get("/teams/research/?sort=-progress").content.decode()
    rows = rows_of(html)
    assert "Alice" in rows[0] and "Bob" in rows[1]
    assert 'aria-sort="descending"' in html
    html = client.get("/teams/research/?sort=name").content.decode()
    assert "Alice" in rows_of(html)[0]
    html = client.get("/teams/research/?state=stalled").content.decode()
    assert len(rows_of(html)) == 1 and "Bob" in rows_of(html)[0]
    html = client.get("/teams/research/?q=alice").content.decode()
    assert len(rows_of(html)) == 1 and "Alice" in rows_of(html)[0]
    html = client.get("/teams/research/?curriculum=nope").content.decode()
    assert "Nobody matches these filters" in html


def test_bad_query_values_fall_back_to_defaults(client, manager, progressed):
    client.force_login(manager)
    response = client.get("/teams/research/?sort=%3Cscript%3E&state=zzz&q=" + "x" * 500)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_charts_are_svg_with_title_desc_and_text_alternative(client, manager, progressed):
    client.force_login(manager)
    html = client.get("/teams/research/").content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 2
    assert "cumulative entries done per week</title>" in html
    assert "<desc id=" in html and "2 entries done by the week of" in html
    assert "The numbers" in html  # the weekly numbers as a table
    assert "Alice Adams, Tier 1: 2 of 2 (100%)" in html  # heatmap cell's own title


def test_empty_team_says_what_to_do(client, manager, team):
    client.force_login(manager)
    html = client.get("/teams/research/").content.decode()
    assert "Nothing is assigned to this team yet" in html


def test_csv_export_has_a_row_per_person_and_curriculum(client, manager, progressed):
    client.force_login(manager)
    response = client.get("/teams/research/dashboard.csv?state=on_track")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["username"], r["progress_percent"], r["state"], r["notes"]) for r in rows] == [
        ("alice", "50", "On track", "1")  # her private note is not counted
    ]
    everyone = list(
        csv.DictReader(io.StringIO(client.get("/teams/research/dashboard.csv").content.decode()))
    )
    assert {r["username"] for r in everyone} == {"alice", "bob"}


def test_csv_cells_cannot_run_as_formulas(client, manager, alice, progressed):
    alice.first_name, alice.last_name = '=HYPERLINK("http://evil")', ""
    alice.save()
    client.force_login(manager)
    text = client.get("/teams/research/dashboard.csv").content.decode()
    assert "'=HYPERLINK" in text
    row = next(r for r in csv.reader(io.StringIO(text)) if r[1] == "alice")
    assert row[0].startswith("'=")


def test_last_activity_is_the_latest_status_change_or_note_save(
    client, manager, bob, progressed, entries
):
    client.force_login(manager)
    factories.make_note(bob, entries[2], "fresh thought", visibility="team")
    rows = rows_of(client.get("/teams/research/?q=bob").content.decode())
    assert "never" not in rows[0] and "Stalled" not in rows[0]


def test_a_private_note_is_no_activity_a_manager_sees(client, manager, bob, progressed, entries):
    """Its count, its existence and when it was written are the writer's own business."""
    client.force_login(manager)
    factories.make_note(bob, entries[2], "a private thought")
    rows = rows_of(client.get("/teams/research/?q=bob").content.decode())
    assert "Stalled" in rows[0] and "<td>0</td>" in rows[0]
