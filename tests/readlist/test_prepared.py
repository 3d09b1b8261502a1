"""readlist.sql.cursor: the hot pages' plain SQL is prepared on PostgreSQL (planned once per
connection, kept across the requests that connection serves), still logged and counted as any
query, and not prepared with DATABASE_PREPARE=0."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from readlist import sql
from tests import factories
from tests.resilience.test_database_down import run_django

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="prepared statements are PostgreSQL's: set DATABASE_URL to a PostgreSQL database",
)

QUERY = "SELECT username FROM auth_user WHERE id = %(id)s AND username <> %(not)s"


def prepared_statements(like: str = "%auth_user WHERE id = $1%") -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [like]
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_its_statements_are_prepared_once_and_still_counted():
    person = factories.make_user("prepared-reader")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            with sql.cursor() as cursor:
                cursor.execute(QUERY, {"id": person.pk, "not": ""})
                assert cursor.fetchall() == [("prepared-reader",)]
    assert len(queries.captured_queries) == 3
    # Each run is in the log with its statement, the prepared runs too.
    assert all("FROM auth_user WHERE id = " in q["sql"] for q in queries.captured_queries)
    # One statement, whatever the number of runs; its parameters stay parameters.
    assert len(prepared_statements()) == 1
    assert "'prepared-reader'" not in prepared_statements()[0]


@pytest.mark.django_db
def test_prepare_false_plans_each_run_anew():
    person = factories.make_user("planned-each-time")
    query = QUERY.replace("username <>", "username !=")  # a statement of its own
    for _ in range(6):  # past the five runs after which PostgreSQL may keep a generic plan
        with sql.cursor(prepare=False) as cursor:
            cursor.execute(query, {"id": person.pk, "not": ""})
            assert cursor.fetchall() == [("planned-each-time",)]
    assert not [s for s in prepared_statements() if "!=" in s]


@pytest.mark.django_db
def test_errors_come_as_djangos_and_the_connection_goes_on():
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), sql.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM auth_user")
    with sql.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


PER_REQUEST = """
import json
import django
django.setup()
from django.conf import settings
from django.db import connection
from readlist import sql

found = []
for _ in range(3):
    with sql.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname = %s", ["pg_class"])
        cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["%pg_class WHERE relname = $1%"],
        )
        found.append(int(cursor.fetchone()[0]))
    connection.close()  # the end of a request: the pool takes the connection back
db = settings.DATABASES["default"]
print(json.dumps({"found": found, "threshold": db["OPTIONS"].get("prepare_threshold")}))
"""


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        # The same statement, planned once and run three times (PostgreSQL counts its runs):
        # the pool keeps it from request to request.
        ("1", {"found": [1, 2, 3], "threshold": 0}),
        # DATABASE_PREPARE=0 (behind a pooler that cannot carry them): never prepared.
        ("0", {"found": [0, 0, 0], "threshold": None}),
    ],
)
def test_pooled_requests_and_database_prepare(tmp_path, prepare, expected):
    out = run_django(
        PER_REQUEST,
        tmp_path,
        DATABASE_URL=os.environ["DATABASE_URL"],
        DATABASE_POOL="1",
        DATABASE_POOL_MIN_SIZE="1",
        DATABASE_POOL_MAX_SIZE="1",
        DATABASE_PREPARE=prepare,
    )
    assert out == expected


@pytest.mark.django_db(transaction=True)
def test_a_column_changed_by_a_migration_does_not_break_its_prepared_statements():
    """A deploy's migration that widens a column while this process keeps serving: PostgreSQL
    refuses a statement prepared before ("cached plan must not change result type") on that
    connection until it is dropped. Outside a transaction the cursor drops them and runs the
    statement again."""
    import psycopg
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE prepared_probe (label varchar(10))")
        cursor.execute("INSERT INTO prepared_probe VALUES ('before')")
    try:
        select = "SELECT label FROM prepared_probe WHERE label <> %s"
        for _ in range(2):
            with sql.cursor() as cursor:
                cursor.execute(select, [""])
                assert cursor.fetchall() == [("before",)]
        # The migration, from another connection (another process, as in a deploy).
        db = settings.DATABASES["default"]
        with psycopg.connect(
            dbname=connection.settings_dict["NAME"],
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            autocommit=True,
        ) as other:
            other.execute("ALTER TABLE prepared_probe ALTER COLUMN label TYPE varchar(20)")
        with sql.cursor() as cursor:
            cursor.execute(select, [""])
            assert cursor.fetchall() == [("before",)]
        # And the statement is prepared again.
        with sql.cursor() as cursor:
            cursor.execute(select, [""])
        assert prepared_statements("%prepared_probe%")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE prepared_probe")
