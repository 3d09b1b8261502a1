"""The rows of "Only what remains": a tier's entries I have not done or skipped, a page at a
time, in plain SQL written once per process.

What remains is mine, so these rows are never shared in notes.cached like the unfiltered
ones; as an ORM query (two NOT EXISTS and the page's ids as a subquery) it took ~5 ms of CPU
to compile on every request, more than the rest of the page. notes.outline.Filters.apply says
the same rule for the ORM; tests/notes/test_remaining.py holds the two equal.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection

from curricula.models import Curriculum, Entry, Resource, Revision, Tier, Topic
from notes import selectors
from notes.models import Progress
from readlist.sql import cursor as sql_cursor

# Each value column of selectors.entry_views_with_topics, as (table alias, model, field name).
_COLUMNS = [
    *[("e", Entry, name) for name in selectors._ENTRY_FIELDS if "__" not in name],
    ("rv", Revision, "created_at"),  # introduced_in__created_at
    *[("r", Resource, name.removeprefix("resource__")) for name in selectors._RESOURCE_FIELDS],
    ("tp", Topic, "title"),
    ("tp", Topic, "part"),
]


@functools.cache
def _query(by_topic: bool, in_tier: bool, hide_optional: bool, role: bool) -> tuple[str, list]:
    """The statement for one combination of filters, and each column's converters."""
    fields = [(alias, model._meta.get_field(name)) for alias, model, name in _COLUMNS]
    select = ", ".join(f'{alias}."{f.column}"' for alias, f in fields)
    converters = [
        (f, f.get_db_converters(connection) + connection.ops.get_db_converters(f.get_col(alias)))
        for alias, f in fields
    ]
    progress = Progress._meta.db_table
    where = ["e.retired_in_id IS NULL"]
    where.append("e.tier_id = %s" if in_tier else "e.curriculum_id = %s AND e.tier_id IS NULL")
    where.append(
        f"NOT EXISTS (SELECT 1 FROM {progress} p WHERE p.user_id = %s"  # noqa: S608
        " AND p.status IN (%s, %s) AND p.resource_id = e.resource_id)"
    )
    where.append(
        f"NOT (e.resource_id IS NULL AND EXISTS (SELECT 1 FROM {progress} p"  # noqa: S608
        " WHERE p.user_id = %s"
        " AND p.status IN (%s, %s) AND p.resource_id IS NULL AND p.entry_id = e.id))"
    )
    if hide_optional:
        where.append("e.role <> %s AND NOT COALESCE(ti.optional, FALSE)")
    if role:
        where.append("e.role = %s")
    # Entries outside any topic last, as the ORM's nulls_last=True (written so SQLite reads it).
    order = "tp.position IS NULL, tp.position, e.position, e.id" if by_topic else "e.position, e.id"
    # The page's entries are chosen first, from their ids and sort keys alone; only those
    # are joined to their papers and revisions. Joined before the sort, every remaining entry
    # of a tier was (1,400 at 10,000 entries: 15.7 ms of a 24 ms page).
    optional = f"LEFT JOIN {Tier._meta.db_table} ti ON ti.id = e.tier_id" if hide_optional else ""
    sql = f"""
        SELECT {select}
        FROM (
          SELECT e.id FROM {Entry._meta.db_table} e
          LEFT JOIN {Topic._meta.db_table} tp ON tp.id = e.topic_id {optional}
          WHERE {" AND ".join(where)}
          ORDER BY {order}
          LIMIT %s OFFSET %s
        ) pg
        JOIN {Entry._meta.db_table} e ON e.id = pg.id
        LEFT JOIN {Revision._meta.db_table} rv ON rv.id = e.introduced_in_id
        LEFT JOIN {Resource._meta.db_table} r ON r.id = e.resource_id
        LEFT JOIN {Topic._meta.db_table} tp ON tp.id = e.topic_id
        ORDER BY {order}
    """  # noqa: S608 - table and column names from the models; values are parameters
    return sql, converters


def rows(
    user: Any,
    curriculum: Curriculum,
    tier_id: int | None,
    *,
    hide_optional: bool,
    role: str,
    offset: int,
    limit: int,
) -> list[tuple[selectors.EntryView, selectors.TopicView | None]]:
    """What selectors.entry_views_with_topics gives for these entries, filtered to those I
    have not closed, `limit` from `offset` in reading order."""
    by_topic = curriculum.reading_order == Curriculum.ReadingOrder.BY_TIER
    sql, converters = _query(by_topic, tier_id is not None, hide_optional, bool(role))
    closed = sorted(str(s) for s in selectors.CLOSED)
    params: list[Any] = [tier_id if tier_id is not None else curriculum.pk]
    params += [user.pk, *closed, user.pk, *closed]
    if hide_optional:
        params.append(Entry.Role.OPTIONAL.value)
    if role:
        params.append(role)
    params += [limit, offset]
    with sql_cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    out = []
    for raw in found:
        row = []
        for value, (field, funcs) in zip(raw, converters, strict=True):
            for func in funcs:
                value = func(value, field, connection)
            row.append(value)
        topic = selectors.TopicView(row[3], row[-2], row[-1] or "") if row[3] else None
        out.append((selectors.EntryView(row[:-2]), topic))
    return out
