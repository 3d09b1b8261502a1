"""What the endpoints answer: paging, progress through the services, notes with the pages'
conflict rule, summaries, the team rows the dashboard shows, problem details, the schema and
its docs page."""

from __future__ import annotations

import json

from django.test import Client

from api.pagination import encode
from notes.models import Note, Progress
from teams import exports
from teams import selectors as team_selectors
from tests import factories
from tests.api.conftest import bearer


def _put(client: Client, url: str, body: dict):
    return client.put(url, json.dumps(body), content_type="application/json")


def _post(client: Client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def _walk(client: Client, url: str, limit: int) -> list[dict]:
    seen, cursor = [], None
    for _ in range(100):
        page = client.get(url, {"limit": limit, **({"cursor": cursor} if cursor else {})}).json()
        assert len(page["items"]) <= limit
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the cursor never ended")


def test_cursor_walks_every_entry_once_in_order(world):
    c = factories.make_curriculum_with_entries(7, slug="seven")
    client = bearer(world.owner)
    items = _walk(client, "/api/v1/curricula/seven/entries", 3)
    expected = list(c.entries.order_by("position", "pk").values_list("pk", flat=True))
    assert [i["id"] for i in items] == expected
    # Same positions: the id breaks the tie.
    c.entries.update(position=0)
    items = _walk(client, "/api/v1/curricula/seven/entries", 2)
    assert [i["id"] for i in items] == sorted(expected)


def test_bad_cursor_is_a_problem_not_a_crash(world):
    client = bearer(world.owner)
    for cursor in ["!!!", encode(["x"]), encode([1, 2, 3]), "e30", encode([True])]:
        response = client.get("/api/v1/me/enrolments", {"cursor": cursor})
        assert response.status_code == 422, cursor
        assert response["Content-Type"] == "application/problem+json"
    response = bearer(world.manager).get("/api/v1/teams/research/rows", {"cursor": encode([-1])})
    assert response.status_code == 422


def test_progress_set_goes_through_the_service_and_reads_back(world):
    client = bearer(world.owner)
    entry = world.entries[0]
    assert _put(client, f"/api/v1/me/progress/{entry.pk}", {"status": "done"}).status_code == 200
    row = Progress.objects.get(user=world.owner)
    assert row.resource_id == entry.resource_id and row.finished_at is not None
    statuses = client.get("/api/v1/me/progress", {"curriculum": "course"}).json()["items"]
    assert statuses[0] == {"entry_id": entry.pk, "status": "done"}
    assert {s["status"] for s in statuses[1:]} == {"to_read"}
    bad = _put(client, f"/api/v1/me/progress/{entry.pk}", {"status": "finished"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["errors"][0]["loc"][-1] == "status"


def test_progress_on_a_retired_entry_is_404(world):
    from curricula.models import Revision

    revision = Revision.objects.create(curriculum=world.curriculum, number=9, sha256="x")
    world.entries[0].retired_in = revision
    world.entries[0].save()
    response = _put(
        bearer(world.owner), f"/api/v1/me/progress/{world.entries[0].pk}", {"status": "done"}
    )
    assert response.status_code == 404


def test_stale_note_update_is_409_and_keeps_the_stored_text(world):
    client = bearer(world.owner)
    url = f"/api/v1/notes/{world.note.pk}"
    ok = _put(client, url, {"body": "v2", "visibility": "private", "base_version": 1})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = _put(
        client, url, {"body": "from another tab", "visibility": "private", "base_version": 1}
    )
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["current_version"] == 2
    assert Note.objects.get(pk=world.note.pk).body == "v2"


def test_create_note_and_summary(world):
    client = bearer(world.member)
    made = _post(client, "/api/v1/me/notes", {"entry_id": world.entries[0].pk, "body": "mine"})
    assert made.status_code == 201 and made.json()["version"] == 1
    again = _post(client, "/api/v1/me/notes", {"entry_id": world.entries[0].pk, "body": "again"})
    assert again.status_code == 409 and again.json()["current_version"] == 1
    summary = _post(
        client,
        "/api/v1/me/notes",
        {"tier_id": world.tier.pk, "body": "knobs", "visibility": "team"},
    )
    assert summary.status_code == 201 and summary.json()["kind"] == "tier"
    notes = client.get("/api/v1/me/notes").json()["items"]
    summaries = client.get("/api/v1/me/summaries").json()["items"]
    assert [n["body"] for n in notes] == ["mine"]
    assert [s["body"] for s in summaries] == ["knobs"]
    both = _post(client, "/api/v1/me/notes", {"tier_id": world.tier.pk, "topic_id": world.topic.pk})
    assert both.status_code == 422
    none = _post(client, "/api/v1/me/notes", {"tier_id": 999999})
    assert none.status_code == 404


def test_team_rows_are_the_dashboards_numbers(world):
    client = bearer(world.manager)
    _put(bearer(world.owner), f"/api/v1/me/progress/{world.entries[0].pk}", {"status": "done"})
    page = client.get("/api/v1/teams/research/rows", {"sort": "-progress"}).json()
    board = team_selectors.dashboard(
        world.team, team_selectors.Filters(sort="progress", descending=True)
    )
    csv_rows = [
        dict(zip(exports.DASHBOARD_HEADER, row, strict=True))
        for row in exports.dashboard_rows(board.rows)
    ]
    # Every CSV column, read from the API's row (same names where they can be).
    as_csv = {
        "person": lambda r: r["person"]["name"],
        "username": lambda r: r["person"]["username"],
        "email": lambda r: r["person"]["email"],
        "curriculum": lambda r: r["curriculum_title"],
        "current_tier": lambda r: r["current_tier"] or "",
        "last_activity": lambda r: r["last_activity"][:16] if r["last_activity"] else "",
        "state": lambda r: r["state_label"],
    }
    api_rows = [
        {name: as_csv.get(name, lambda r, n=name: r[n])(r) for name in exports.DASHBOARD_HEADER}
        for r in page["items"]
    ]
    for row in csv_rows:
        row["last_activity"] = row["last_activity"][:16]
    assert api_rows == csv_rows
    assert page["items"][0]["person"]["username"] == "owner"
    assert page["items"][0]["done"] == 1
    assert page["counts"] == board.counts
    filtered = client.get("/api/v1/teams/research/rows", {"q": "memb"}).json()["items"]
    assert [r["person"]["username"] for r in filtered] == ["member"]
    assert client.get("/api/v1/teams/research/rows", {"state": "nonsense"}).status_code == 422


def test_team_rows_page_with_a_cursor(world):
    people = [factories.make_user(f"p{i}") for i in range(5)]
    from teams.models import Membership

    Membership.objects.bulk_create([Membership(team=world.team, user=p) for p in people])
    rows = _walk(bearer(world.manager), "/api/v1/teams/research/rows?sort=name", 3)
    names = [r["person"]["username"] for r in rows]
    assert names == sorted(["owner", "member", *[p.username for p in people]])


def test_entry_list_queries_do_not_grow(world, django_assert_max_num_queries):
    factories.make_curriculum_with_entries(150, slug="big")
    for user in (world.owner, world.admin):
        client = bearer(user)
        client.get("/api/v1/curricula")  # the token's first use writes last_used_at once
        with django_assert_max_num_queries(4):
            items = client.get("/api/v1/curricula/big/entries", {"limit": 200}).json()["items"]
        assert len(items) == 150


def test_other_lists_query_counts_do_not_grow(world, django_assert_max_num_queries):
    for i in range(30):
        entry = factories.make_entry(world.curriculum, f"More {i}")
        factories.make_note(world.owner, entry, f"note {i}")
    client = bearer(world.owner)
    client.get("/api/v1/curricula")
    for url in ["/api/v1/me/notes?limit=200", "/api/v1/me/progress?curriculum=course&limit=200",
                "/api/v1/me/enrolments", "/api/v1/curricula/course"]:  # fmt: skip
        with django_assert_max_num_queries(5):
            assert client.get(url).status_code == 200


def test_schema_documents_problem_details_and_docs_are_local(world):
    schema = Client().get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/notes/{note_id}"]["put"]
    assert set(op["responses"]) >= {"200", "401", "403", "404", "409", "422", "429"}
    assert "application/problem+json" in op["responses"]["409"]["content"]
    assert "application/json" in op["responses"]["200"]["content"]
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert Client().get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_bad_json_body_is_a_problem(world):
    client = bearer(world.owner)
    response = client.put(
        f"/api/v1/me/progress/{world.entries[0].pk}", "{not json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_wrong_method_and_unknown_address_are_problems(world):
    client = bearer(world.owner)
    wrong = client.get(f"/api/v1/me/progress/{world.entries[0].pk}")
    assert wrong.status_code == 405
    assert wrong["Content-Type"] == "application/problem+json"
    assert wrong["Allow"] == "PUT"
    missing = client.get("/api/v1/nothing/here")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    nul = client.get("/api/v1/me/notes", {"curriculum": "a\x00b"})
    assert nul.status_code == 400 and nul["Content-Type"] == "application/problem+json"
    assert "NUL" in nul.json()["detail"]
    odd = client.get("/api/v1/notes/not-a-number")
    assert odd.status_code == 422 and odd["Content-Type"] == "application/problem+json"


def _grow_team(world, people: int, curricula: int, tag: str) -> None:
    import datetime as dt

    from django.utils import timezone

    from teams import services as team_services
    from teams.models import Membership

    users = [factories.make_user(f"grow{tag}{i}") for i in range(people)]
    Membership.objects.bulk_create([Membership(team=world.team, user=u) for u in users])
    today = timezone.localdate()
    for i in range(curricula):
        c = factories.make_curriculum_with_entries(6, slug=f"grow-{tag}-{i}")
        team_services.assignment_create(
            actor=world.manager,
            team=world.team,
            curriculum=c,
            start_date=today,
            due_date=today + dt.timedelta(days=20 + i),
            user=users[i] if i % 2 else None,
        )


def test_team_rows_and_team_calendar_queries_do_not_grow(world, django_assert_max_num_queries):
    from api import services as api_services

    secret = api_services.calendar_reset(actor=world.manager)
    client = bearer(world.manager)
    client.get("/api/v1/teams")  # first uses record last_used_at once: not part of the count
    Client().get(f"/calendar/{secret}/teams/research.ics")
    counts = []
    for people, curricula in ((1, 1), (12, 4)):
        _grow_team(world, people, curricula, tag=str(people))
        with django_assert_max_num_queries(30) as rows_queries:
            assert client.get("/api/v1/teams/research/rows", {"limit": 200}).status_code == 200
        with django_assert_max_num_queries(8) as feed_queries:
            assert Client().get(f"/calendar/{secret}/teams/research.ics").status_code == 200
        counts.append((len(rows_queries), len(feed_queries)))
    assert counts[0] == counts[1]
