"""Sessions in the database (Django's table, keys, encoding and writes), read by a prepared
statement on PostgreSQL.

Every signed-in request reads its session before anything else. Django's store builds that
SELECT through the ORM and PostgreSQL plans it, on every request: 0.56 ms against 0.23 ms for
the same row read by a statement prepared once per connection (readlist.sql.cursor) and
decoded, on bench/pages.py's data, interleaved, in one process. That is about a tenth of the
floor view every signed-in page is measured against. SESSION_ENGINE names this module.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from readlist import sql

# Django's session table (django.contrib.sessions.models.Session), as its ORM query reads it.
SELECT = (
    'SELECT "session_data" FROM "django_session" WHERE "session_key" = %s AND "expire_date" > %s'
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        """The live session row for this key, or None (and no key: a new one is made on save),
        as Django's store answers; an expired row counts as missing."""
        alias = router.db_for_read(self.model)
        if connections[alias].vendor != "postgresql":
            return super()._get_session_from_db()
        with sql.cursor(alias) as cursor:
            cursor.execute(SELECT, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
