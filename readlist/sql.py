"""Helpers for the plain SQL that hot pages run instead of ORM querysets."""

from __future__ import annotations

import functools
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections


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


def cursor(alias: str = DEFAULT_DB_ALIAS, *, prepare: bool = True, binary: bool = False) -> Any:
    """A cursor for a hot page's plain SQL: on PostgreSQL its statements are prepared, so each
    is parsed and planned once per connection (persistent, or lent by the pool) instead of on
    every request. Planning took longer than running for most of them: the entry page's two
    queries went from 0.93 and 0.49 ms to 0.38 and 0.18 ms a round trip on bench/pages.py's
    data. With DATABASE_PREPARE=0 (settings.py) the statements are sent as they are; on SQLite
    this is Django's own cursor.

    `binary`: the rows in the binary format, which the driver reads in C where Django's loader
    for text timestamps is Python's (notes.progress.read_lines, teams.board.facts).

    A server-binding psycopg cursor in Django's wrapper, so that query logging, execute wrappers and
    error translation see it as any other; its SQL takes the same %s and %(name)s
    placeholders.

    `prepare=False` for a statement whose generic plan (PostgreSQL's choice after five runs)
    reads more than the plan made for each run's values: the dashboard's rows by their keys
    took 5.0-5.8 ms prepared against 3.3-4.6 ms planned each time (teams.board.rows_of)."""
    db = connections[alias]
    if db.vendor != "postgresql":
        return db.cursor()
    # What BaseDatabaseWrapper.cursor() does, with the driver's own cursor class.
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = _cursor_class()(db.connection)
        raw.prepare = None if prepare else False
        if binary:
            from psycopg import pq

            raw.format = pq.Format.BINARY
        return db._prepare_cursor(raw)


@functools.cache
def _cursor_class() -> type:
    import psycopg
    from psycopg.pq import TransactionStatus

    class PreparingCursor(psycopg.Cursor):
        """psycopg's server-binding cursor, which also tells Django's query log what it ran:
        the log reads the cursor's last query (`_query`), which psycopg 3.3 leaves unset
        when it runs a statement it has prepared. `prepare`: what execute() is told when the
        caller (Django's wrapper) says nothing; False never prepares."""

        prepare: bool | None = None

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs.setdefault("prepare", self.prepare)
            try:
                return super().execute(query, params, **kwargs)
            except psycopg.errors.FeatureNotSupported as error:
                # Prepared before a migration changed a column it returns (a longer
                # varchar, say, while this process kept serving during a deploy): PostgreSQL
                # refuses to run it again, on this connection, until it is dropped. In a
                # transaction the rollback drops them all (psycopg); outside one, drop them
                # here and run the statement once more.
                idle = self.connection.info.transaction_status == TransactionStatus.IDLE
                if "cached plan must not change result type" not in str(error) or not idle:
                    raise
                # psycopg forgets its own statements when it sees this command succeed.
                super().execute("DEALLOCATE ALL", prepare=False)
                return super().execute(query, params, **kwargs)

        def _send_query_prepared(self, name: bytes, pgq: Any, **kwargs: Any) -> None:
            self._query = pgq
            super()._send_query_prepared(name, pgq, **kwargs)

    return PreparingCursor
