"""Who may call which endpoint: owner, member (same team), outsider, manager, anonymous, and a
read-only token trying to write. What is not yours is 404, as on the pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from notes.models import Note, Progress
from tests.api.conftest import World, bearer

ROLES = ["owner", "member", "outsider", "manager", "anonymous", "read_token"]


@dataclass
class Case:
    method: str
    path: Callable[[World], str]
    body: Callable[[World], dict] | None
    expect: dict[str, int]

    def call(self, world: World, role: str) -> Any:
        if role == "anonymous":
            client = Client()
        elif role == "read_token":
            client = bearer(world.owner, scope="read")
        else:
            client = bearer(getattr(world, role))
        path = self.path(world)
        if self.method == "GET":
            return client.get(path)
        data = json.dumps(self.body(world) if self.body else {})
        return getattr(client, self.method.lower())(path, data, content_type="application/json")


def everyone(status: int = 200, **overrides: int) -> dict[str, int]:
    expected = {role: status for role in ROLES}
    expected["anonymous"] = 401
    expected.update(overrides)
    return expected


def writes(**by_role: int) -> dict[str, int]:
    return {"anonymous": 401, "read_token": 403, **by_role}


CASES = {
    "curricula": Case("GET", lambda w: "/api/v1/curricula", None, everyone()),
    "curriculum": Case("GET", lambda w: "/api/v1/curricula/course", None, everyone()),
    "curriculum_unknown": Case("GET", lambda w: "/api/v1/curricula/nope", None, everyone(404)),
    "entries": Case("GET", lambda w: "/api/v1/curricula/course/entries", None, everyone()),
    "enrolments": Case("GET", lambda w: "/api/v1/me/enrolments", None, everyone()),
    "progress": Case("GET", lambda w: "/api/v1/me/progress?curriculum=course", None, everyone()),
    "progress_set": Case(
        "PUT",
        lambda w: f"/api/v1/me/progress/{w.entries[0].pk}",
        lambda w: {"status": "done"},
        writes(owner=200, member=200, outsider=200, manager=200),
    ),
    "progress_set_missing": Case(
        "PUT",
        lambda w: "/api/v1/me/progress/999999",
        lambda w: {"status": "done"},
        writes(owner=404, member=404, outsider=404, manager=404),
    ),
    "notes": Case("GET", lambda w: "/api/v1/me/notes", None, everyone()),
    "summaries": Case("GET", lambda w: "/api/v1/me/summaries", None, everyone()),
    "note_create": Case(
        "POST",
        lambda w: "/api/v1/me/notes",
        lambda w: {"entry_id": w.entries[2].pk, "body": "hello"},
        writes(owner=201, member=201, outsider=201, manager=201),
    ),
    "private_note": Case(
        "GET",
        lambda w: f"/api/v1/notes/{w.note.pk}",
        None,
        everyone(404, owner=200, read_token=200),
    ),
    "shared_note": Case(
        "GET",
        lambda w: f"/api/v1/notes/{w.shared.pk}",
        None,
        everyone(200, outsider=404),
    ),
    "note_update": Case(
        "PUT",
        lambda w: f"/api/v1/notes/{w.shared.pk}",
        lambda w: {"body": "changed", "visibility": "team", "base_version": w.shared.version},
        writes(owner=200, member=404, outsider=404, manager=404),
    ),
    "teams": Case("GET", lambda w: "/api/v1/teams", None, everyone()),
    "team_rows": Case(
        "GET",
        lambda w: "/api/v1/teams/research/rows",
        None,
        everyone(404, manager=200),
    ),
    "team_rows_unknown": Case("GET", lambda w: "/api/v1/teams/nope/rows", None, everyone(404)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_authz_matrix(world, name):
    """Every role against one endpoint (one world per endpoint keeps the suite quick); all
    mismatches are reported together."""
    case = CASES[name]
    wrong = []
    for role in ROLES:
        response = case.call(world, role)
        if response.status_code != case.expect[role]:
            wrong.append(f"{role}: {response.status_code}, expected {case.expect[role]}")
        elif response.status_code >= 400:
            problem = response.json()
            if response["Content-Type"] != "application/problem+json" or not problem["detail"]:
                wrong.append(f"{role}: not a problem document")
            elif problem["status"] != response.status_code:
                wrong.append(f"{role}: problem status {problem['status']}")
    assert wrong == []


def test_every_operation_is_in_the_matrix(world):
    """A new endpoint must join the matrix: compare the schema's operations with the cases."""
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    covered = set()
    for case in CASES.values():
        concrete = case.path(world).split("?")[0]
        for method, path in operations:
            pattern = "^" + "[^/]+".join(part for part in _split(path)) + "$"
            if method == case.method and re.match(pattern, concrete):
                covered.add((method, path))
    assert operations - covered == set()


def _split(path: str) -> list[str]:
    return [re.escape(p) for p in re.split(r"\{[^}]+\}", path)]


def test_refused_writes_change_nothing(world):
    before = Note.objects.get(pk=world.shared.pk).body
    for role in ("member", "outsider", "manager"):
        CASES["note_update"].call(world, role)
    CASES["note_update"].call(world, "read_token")
    CASES["progress_set"].call(world, "read_token")
    assert Note.objects.get(pk=world.shared.pk).body == before
    assert not Progress.objects.filter(user=world.owner).exists()


def test_nobody_sees_anyone_elses_lists(world):
    for role in ("member", "outsider", "manager"):
        client = bearer(getattr(world, role))
        assert client.get("/api/v1/me/notes").json()["items"] == []
    owner_notes = bearer(world.owner).get("/api/v1/me/notes").json()["items"]
    assert {n["id"] for n in owner_notes} == {world.note.pk, world.shared.pk}
    # The team is the manager's, not the members'.
    assert bearer(world.manager).get("/api/v1/teams").json() == [
        {"slug": "research", "name": "Research"}
    ]
    assert bearer(world.owner).get("/api/v1/teams").json() == []


def test_verdicts_only_for_admins(world):
    entry = bearer(world.admin).get("/api/v1/curricula/course/entries").json()["items"][0]
    assert entry["verdict"]["health"] == "unknown"
    for role in ("owner", "manager"):
        items = bearer(getattr(world, role)).get("/api/v1/curricula/course/entries").json()
        assert all(item["verdict"] is None for item in items["items"])
