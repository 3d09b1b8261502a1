"""readlist.sessions: Django's database sessions, read by a prepared statement on PostgreSQL,
with Django's answers: a live session signs its person in; an expired, unknown or malformed
key is nobody, and saving then makes a new key rather than reviving the old one."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from readlist.sessions import SessionStore
from tests import factories

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.django_db
def test_a_live_session_signs_its_person_in_and_an_expired_one_does_not(client):
    person = factories.make_user("session-reader")
    client.force_login(person)
    assert client.get("/").context["user"] == person

    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    assert client.get("/").context["user"].is_anonymous
    # Still in the table (clearsessions removes it), but never read back as live.
    assert Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["no-such-session-key-0123456789", "x" * 40, "short"])
def test_an_unknown_key_is_nobody_and_saving_makes_a_new_key(key):
    store = SessionStore(key)
    assert store.load() == {}
    store["seen"] = True
    store.save()
    assert store.session_key not in (key, None)
    assert SessionStore(store.session_key).load() == {"seen": True}
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_what_is_saved_is_read_back():
    store = SessionStore()
    store["words"] = ["ünïcode", 3, {"nested": None}]
    store.save()
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(store.session_key).load() == {"words": ["ünïcode", 3, {"nested": None}]}
    assert len(queries.captured_queries) == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db
def test_the_session_is_read_by_a_statement_prepared_once(client):
    client.force_login(factories.make_user("session-prepared"))
    for _ in range(3):
        assert client.get("/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "django_session"%'],
        )
        statements = [row[0] for row in cursor.fetchall()]
    assert len(statements) == 1, statements
    assert "$1" in statements[0] and "$2" in statements[0]
