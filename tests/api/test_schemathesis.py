"""Schemathesis against the generated OpenAPI schema, in process over WSGI (no server): every
operation, valid and invalid inputs, as a read-write token holder with data to find. No 5xx,
and every answer conforms to the schema (status, content type, headers, body).

Bounded: a few examples per operation (READLIST_SCHEMATHESIS_EXAMPLES, default 10), so CI spends
well under a minute here."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from readlist.wsgi import application
from tests.api.conftest import World
from tests.api.conftest import world as _world  # noqa: F401  (the fixture, by name)

EXAMPLES = int(os.environ.get("READLIST_SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded at collection: the schema is built from the code and needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def in_test_transaction():
    """The WSGI handler closes the database connection after each request, which would end the
    test's transaction; Django's own test client holds these signals off in the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(world: World, settings, in_test_transaction) -> str:
    from api import services

    # The rate limit is tested elsewhere; here it would only turn answers into 429s.
    settings.READLIST_API_RATE_LIMIT = "100000/m"
    _, secret = services.token_create(actor=world.manager, name="fuzz", scope="write")
    # The manager also has notes of their own and a team's rows to read.
    from tests import factories

    factories.make_note(world.manager, world.entries[0], "manager's note")
    return secret


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, token):
    # The WSGI transport does not undo gzip (GZipMiddleware answers clients that accept it).
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers, checks=CHECKS)


def test_api_workflows_conform_to_its_schema(token):
    """Stateful: sequences that follow the schema's links with real ids (a note created, then
    read and updated; a curriculum listed, then its entries, then a status set on one; a team
    listed, then its rows)."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
