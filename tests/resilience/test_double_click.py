"""A double click on a status (PostgreSQL): two requests that both find no status yet must
both answer, leave one Progress row and log the change once.

The two requests are real (two test clients in two threads, each with its own database
connection). To make them collide every time rather than by luck, a third connection holds a
SHARE lock on the progress table: both requests read "no status yet" (reads and SELECT FOR
UPDATE pass a SHARE lock), both then wait to insert; when the lock is released both inserts
go ahead at once and one of them meets the other on `progress_user_resource_unique`.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client

from notes.models import Activity, Progress
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has a single writer: no race to play"
    ),
]


def _third_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params)


def _waiting_inserts(conn: psycopg.Connection, table: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [table]
    ).fetchone()
    return row[0] if row else 0


@pytest.mark.parametrize("second_status", ["done", "reading"])
def test_a_double_click_on_a_first_status_answers_twice_and_logs_each_change_once(
    second_status,
):
    reader = factories.make_user("reader")
    course = factories.make_curriculum()
    entry = factories.make_entry(course)
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(reader)
    statuses = ["done", second_status]
    answers: dict[int, int] = {}
    errors: list[BaseException] = []

    def click(i: int) -> None:
        try:
            response = clients[i].post(
                f"/entries/{entry.pk}/status", {"status": statuses[i]}, HTTP_HX_REQUEST="true"
            )
            answers[i] = response.status_code
        except BaseException as exc:  # the test client re-raises a view's exception
            errors.append(exc)
        finally:
            connections.close_all()

    table = Progress._meta.db_table
    with _third_connection() as gate:
        gate.execute(f"LOCK TABLE {table} IN SHARE MODE")  # the transaction stays open
        threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        with _third_connection() as watch:
            deadline = time.monotonic() + 15
            while _waiting_inserts(watch, table) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert _waiting_inserts(watch, table) == 2, "both requests should wait to insert"
        gate.commit()  # let both inserts go at once
    for t in threads:
        t.join(30)

    assert errors == [] and answers == {0: 200, 1: 200}
    progress = Progress.objects.get(user=reader)
    changes = list(
        Activity.objects.filter(user=reader, verb="status")
        .order_by("id")
        .values_list("from_status", "to_status")
    )
    if second_status == "done":  # the same click twice: one change
        assert progress.status == "done" and changes == [("", "done")]
    else:  # two different statuses: whichever came second is a change from the first
        assert progress.status in {"done", "reading"}
        assert len(changes) == 2 and changes[0][0] == ""
        assert changes[1] == (changes[0][1], progress.status)
