"""What every endpoint shares: its error answers in the schema, and paging parameters."""

from __future__ import annotations

from ninja import Field, Schema

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from api.problems import Problem

# Every endpoint can answer these (a NUL byte or a body that is not JSON, auth, throttle, bad
# input, not yours).
READ_ERRORS: dict[int, type] = {
    400: Problem,
    401: Problem,
    404: Problem,
    422: Problem,
    429: Problem,
}
# Writes can also meet a read-only token or a missing CSRF token (403) and a stale version (409).
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 403: Problem, 409: Problem}


class Paging(Schema):
    cursor: str | None = Field(None, max_length=500, description="From the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def links(status: int, **targets: tuple[str, dict[str, str]]) -> dict:
    """OpenAPI links from one answer to the operations it leads to (name=(operationId,
    parameters)), so clients, and schemathesis's stateful tests, can follow real ids."""
    return {
        "responses": {
            status: {
                "links": {
                    name: {"operationId": operation, "parameters": parameters}
                    for name, (operation, parameters) in targets.items()
                }
            }
        }
    }
