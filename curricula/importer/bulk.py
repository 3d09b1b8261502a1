"""Inserting thousands of new rows at once: COPY on PostgreSQL, bulk_create elsewhere."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

BATCH = 500


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows given as {attname: value}; every other column takes its field's default.

    On PostgreSQL one COPY statement carries every row: a 10,000-entry import spends most of
    its time building and quoting INSERT statements otherwise. The rows' ids are not needed.
    """
    if not rows:
        return
    if connection.vendor not in ("postgresql", "sqlite"):
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    now = timezone.now()
    defaults: dict[str, Any] = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        elif field.has_default() or not field.null:
            defaults[field.attname] = field.get_default()
        else:
            defaults[field.attname] = None
    encoders = {
        f.attname: f.encoder for f in fields if isinstance(f, models.JSONField)
    }  # JSON columns go over COPY as their text
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    if connection.vendor == "sqlite":
        _sqlite_insert(model, fields, defaults, rows, columns)
        return
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    names = [f.attname for f in fields]
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = []
            for name in names:
                value = row.get(name, defaults[name])
                if name in encoders and value is not None:
                    value = json.dumps(value, cls=encoders[name])
                values.append(value)
            copy.write_row(values)
    if connection.queries_logged:  # so query counts (tests, the benchmark) include it
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(rows)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )


def _sqlite_insert(model, fields, defaults, rows, columns) -> None:
    """One prepared INSERT run for every row (Django caps an SQLite statement at 999
    parameters, which would make a 10,000-row bulk_create some 400 statements)."""
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(fields))
    params = [
        [
            field.get_db_prep_save(row.get(field.attname, defaults[field.attname]), connection)
            for field in fields
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", params)  # noqa: S608


# Columns that set_numbers() can write: the ones a reordered or regrouped list changes.
NUMERIC = {"position", "tier", "topic", "resource"}


def set_numbers(model: type[models.Model], names: list[str], rows: Sequence[models.Model]) -> None:
    """Write integer columns (position, foreign keys) of many rows: one UPDATE … FROM (VALUES …)
    per 5,000 rows on PostgreSQL.

    Inserting one entry at the top of a long list moves every entry below it; Django's
    bulk_update builds a CASE with a branch per row, slow to compose and to evaluate.
    """
    if not rows:
        return
    if connection.vendor not in ("postgresql", "sqlite"):
        model._default_manager.bulk_update(rows, names, batch_size=BATCH)
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    if connection.vendor == "sqlite":  # in-process: one prepared UPDATE run per row is cheap
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)  # type: ignore[union-attr]
        table = quote(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {quote(model._meta.pk.column)} = %s",  # noqa: S608
                [[*(getattr(r, f.attname) for f in fields), r.pk] for r in rows],  # type: ignore[union-attr]
            )
        return
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    casts = ["bigint" if f.is_relation else "integer" for f in fields]
    assignments = ", ".join(
        f"{quote(f.column)} = v.column{n + 2}"
        for n, f in enumerate(fields)  # type: ignore[union-attr]
    )
    row_sql = "(%s::bigint, " + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    attnames = [f.attname for f in fields]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5_000):
            chunk = rows[start : start + 5_000]
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v "
                f"WHERE t.{pk} = v.column1",
                [v for row in chunk for v in (row.pk, *(getattr(row, a) for a in attnames))],
            )
