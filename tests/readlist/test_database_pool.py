"""DATABASE_POOL: connections come from psycopg's pool (Django's OPTIONS["pool"]) and go back."""

from __future__ import annotations

import os

import pytest

from tests.resilience.test_database_down import run_django

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="pooling is PostgreSQL's: set DATABASE_URL to a PostgreSQL database",
)

PIDS = """
import json
import django
django.setup()
from django.conf import settings
from django.db import connection

pids = []
for _ in range(6):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pids.append(cursor.fetchone()[0])
    connection.close()  # what Django does at the end of every request
db = settings.DATABASES["default"]
print(json.dumps({"pids": pids, "pool": db["OPTIONS"].get("pool"), "age": db["CONN_MAX_AGE"]}))
"""


def test_pool_lends_the_same_connection_request_after_request(tmp_path):
    out = run_django(
        PIDS,
        tmp_path,
        DATABASE_URL=os.environ["DATABASE_URL"],
        DATABASE_POOL="1",
        DATABASE_POOL_MIN_SIZE="1",
        DATABASE_POOL_MAX_SIZE="1",
    )
    assert out["pool"] == {"min_size": 1, "max_size": 1, "timeout": 5}
    assert out["age"] == 0
    assert len(set(out["pids"])) == 1


def test_without_the_pool_each_request_connects_afresh(tmp_path):
    out = run_django(PIDS, tmp_path, DATABASE_URL=os.environ["DATABASE_URL"], DATABASE_POOL="0")
    assert out["pool"] is None
    assert len(set(out["pids"])) == 6
