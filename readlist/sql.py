"""Helpers for the plain SQL that hot pages run instead of ORM querysets."""

from __future__ import annotations

from typing import Any

from django.db import connection


def in_ids(column: str, ids: list[int]) -> tuple[str, list[Any]]:
    """`column` is one of `ids`, as SQL and its parameters; false for an empty list.

    One array parameter on PostgreSQL: psycopg parses and caches a query's placeholders only
    up to 50 parameters (MAX_CACHED_STATEMENT_PARAMS), so a page of 25 ids twice over was
    parsed anew on every request, and the query text now stays the same whatever the count."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    if not ids:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)
