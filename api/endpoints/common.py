"""What every endpoint shares: its error answers in the schema, and paging parameters."""

from __future__ import annotations

from ninja import Field, Schema

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from api.problems import Problem

# Every endpoint can answer these (auth, throttle, bad input, not yours).
READ_ERRORS: dict[int, type] = {401: Problem, 404: Problem, 422: Problem, 429: Problem}
# Writes can also meet a body that is not JSON (400), a read-only token or a missing CSRF token
# (403) and a stale version (409).
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 400: Problem, 403: Problem, 409: Problem}


class Paging(Schema):
    cursor: str | None = Field(None, max_length=500, description="From the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
