"""What each pytest-xdist worker keeps to itself (`make test` runs the suite in workers): a
Redis database, and on PostgreSQL a test database cloned from one migrated once."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

import pytest

REDIS_DATABASES = 16  # redis-server's default `databases`
TEMPLATE_ENV = "READLIST_TEST_DB_TEMPLATE"
GIVEN_REDIS_ENV = "READLIST_TEST_REDIS_URL"  # the URL the run was given, before the worker's


def worker_redis_url(url: str, worker: str) -> str:
    """The Redis URL for xdist worker `worker` ("gw0", "gw1"...): the given database number
    plus the worker's index, modulo Redis's 16. Tests also keep their keys and queues under
    names of their own (tests/curricula/workers_support.py), so a wrap-around only shares the
    database, as a serial run does."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    index = int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{(base + index) % REDIS_DATABASES}"))


def setup_nodes(config: pytest.Config, specs: Sequence) -> None:
    """In the controller, before any worker starts: each worker's environment gets its Redis
    URL (read by its settings before anything connects, and inherited by the celery workers
    and beats its tests start) and, on PostgreSQL, the name of a migrated template database."""
    from django.conf import settings

    url = os.environ.get("REDIS_URL") or settings.REDIS_URL
    template = _create_template(config)
    for spec in specs:
        if url:
            spec.env["REDIS_URL"] = worker_redis_url(url, spec.id)
            spec.env[GIVEN_REDIS_ENV] = url
        if template:
            spec.env[TEMPLATE_ENV] = template


def _create_template(config: pytest.Config) -> str | None:
    """Migrate one test database here and let each worker copy it (CREATE DATABASE ... TEMPLATE,
    under a second), instead of every worker running all the migrations at once: ~16 s of CPU
    each on this machine. Only for PostgreSQL with the default alias alone, and not with
    --reuse-db or --no-migrations, where pytest-django's own setup is what was asked for."""
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    if list(connections.settings) != ["default"] or connections["default"].vendor != "postgresql":
        return None
    if config.getoption("reuse_db") or config.getoption("nomigrations"):
        return None
    connection = connections["default"]
    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = f"test_{original}_template"
    with config.stash[blocking_manager_key].unblock(), _no_statement_timeout(connection):
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        connection.close()

    def drop() -> None:
        with config.stash[blocking_manager_key].unblock(), _no_statement_timeout(connection):
            try:
                _drop(connection, name)
            except Exception as exc:  # a leftover template is not a failed run
                print(f"could not drop the template test database: {exc!r}", file=sys.stderr)
        connection.settings_dict["NAME"] = original

    config.add_cleanup(drop)
    return name


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker) -> Iterator[None]:
    """pytest-django's django_db_setup for a worker given a template: its test database is a
    copy of the template (test_<name>_template_gw0...), dropped at the end of its session."""
    from django.db import connection

    worker = request.config.workerinput["workerid"]
    original = connection.settings_dict["NAME"]
    with django_db_blocker.unblock(), _no_statement_timeout(connection):
        connection.settings_dict["NAME"] = os.environ[TEMPLATE_ENV]
        connection.creation.clone_test_db(suffix=worker, verbosity=0, autoclobber=True)
        connection.creation.setup_worker_connection(worker)
    yield
    with django_db_blocker.unblock(), _no_statement_timeout(connection):
        try:
            _drop(connection, connection.settings_dict["NAME"])
        except Exception as exc:  # as pytest-django does: a leftover database is not a failure
            request.node.warn(pytest.PytestWarning(f"could not drop the test database: {exc!r}"))
    connection.settings_dict["NAME"] = original


def _drop(connection, name: str) -> None:
    """DROP DATABASE, closing what a test's thread (live_server, a pool) left connected to it."""
    connection.close()
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


@contextlib.contextmanager
def _no_statement_timeout(connection) -> Iterator[None]:
    """Without DATABASE_STATEMENT_TIMEOUT_MS for creating and dropping databases: DROP DATABASE
    waits for a checkpoint, which took over 30 s on this machine under load."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    before = options.get("options")
    if before:
        options["options"] = re.sub(r"-c statement_timeout=\d+", "", before).strip()
    try:
        yield
    finally:
        connection.close()
        if before:
            options["options"] = before
