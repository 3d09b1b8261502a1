"""tests/parallel.py: what each pytest-xdist worker keeps to itself."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from tests.parallel import GIVEN_REDIS_ENV, worker_redis_url

WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def test_each_worker_gets_the_next_redis_database():
    assert worker_redis_url("redis://127.0.0.1:6379/2", "gw0") == "redis://127.0.0.1:6379/2"
    assert worker_redis_url("redis://127.0.0.1:6379/2", "gw3") == "redis://127.0.0.1:6379/5"
    assert worker_redis_url("redis://127.0.0.1:6379", "gw1") == "redis://127.0.0.1:6379/1"
    # Redis has 16 databases: past the last, round again (keys are per test anyway).
    assert worker_redis_url("rediss://:pw@cache:6380/15", "gw2") == "rediss://:pw@cache:6380/1"


@pytest.mark.skipif(not WORKER, reason="runs in a pytest-xdist worker (make test)")
def test_a_worker_talks_only_to_its_own_database_and_redis(db, settings):
    from readlist.celery import app

    if connection.vendor == "postgresql":  # SQLite's test database is in the worker's memory
        assert connection.settings_dict["NAME"].endswith(f"_{WORKER}")
    if settings.REDIS_URL:
        given = os.environ[GIVEN_REDIS_ENV]  # set by tests/parallel.py for every worker
        assert worker_redis_url(given, WORKER) == settings.REDIS_URL
        assert os.environ["REDIS_URL"] == settings.REDIS_URL  # what its subprocesses inherit
        assert app.conf.broker_url == settings.REDIS_URL
        assert settings.CELERY_REDBEAT_REDIS_URL == settings.REDIS_URL
