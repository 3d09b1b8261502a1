"""Cursor pagination: an opaque cursor names where the next page starts.

Querysets page by keyset (the ordering's values of the last item shown), so a page costs the
same at any depth and rows added meanwhile never shift what comes next. Lists computed in
Python (a team's dashboard rows) page by position in their sorted order.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet

from api.problems import ApiProblem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    ):
        raise ApiProblem(422, "The cursor is not one this API gave out; start without one.")
    return values


def keyset(
    qs: QuerySet, fields: Sequence[str], cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page of qs ordered by `fields` (integers, ascending; a leading "-" for descending),
    and the cursor of the next page or None."""
    names = [f.lstrip("-") for f in fields]
    qs = qs.order_by(*fields)
    if cursor:
        after = decode(cursor, len(fields))
        # (a, b) > (x, y) as a disjunction: portable to SQLite, and it uses the index.
        condition = Q()
        for i, field in enumerate(fields):
            op = "lt" if field.startswith("-") else "gt"
            step = Q(**{f"{names[i]}__{op}": after[i]})
            for j in range(i):
                step &= Q(**{names[j]: after[j]})
            condition |= step
        qs = qs.filter(condition)
    items = list(qs[: limit + 1])
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    last = items[-1]
    return items, encode([_value(last, name) for name in names])


def _value(item: Any, name: str) -> Any:
    value = item
    for part in name.split("__"):
        value = getattr(value, part if part != "pk" else "pk")
    return value


def positional(rows: Sequence[Any], cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    start = decode(cursor, 1)[0] if cursor else 0
    if start < 0:
        raise ApiProblem(422, "The cursor is not one this API gave out; start without one.")
    page = list(rows[start : start + limit])
    following = start + limit
    return page, encode([following]) if following < len(rows) else None
