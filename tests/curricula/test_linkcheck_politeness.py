"""The politeness gate, on the database and (when REDIS_URL is set) on Redis: same rules."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from django.conf import settings

from curricula.linkhealth.politeness import DatabaseGate, RedisGate, wait_for_slot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["database", "redis"])
def gate(request, settings):
    if request.param == "database":
        return DatabaseGate()
    if not settings.REDIS_URL:
        pytest.skip("the Redis gate needs REDIS_URL")
    return RedisGate(settings.REDIS_URL, settings.READLIST_REDIS_PREFIX)


def test_one_request_per_interval(gate):
    first = gate.acquire("example.org", interval=0.5, limit=2)
    second = gate.acquire("example.org", interval=0.5, limit=2)
    assert first.granted
    assert not second.granted
    assert 0.3 < second.wait <= 0.5


def test_hosts_are_independent(gate):
    assert gate.acquire("a.example", interval=5, limit=1).granted
    assert gate.acquire("b.example", interval=5, limit=1).granted


def test_at_most_limit_requests_in_flight(gate):
    tokens = []
    for _ in range(2):
        grant = wait_for_slot(gate, "slow.example", interval=0.05, limit=2, max_wait=2)
        tokens.append(grant.token)
    time.sleep(0.06)
    third = gate.acquire("slow.example", interval=0.05, limit=2)
    assert not third.granted  # two leases held, rate is free
    gate.release("slow.example", tokens[0])
    assert wait_for_slot(gate, "slow.example", interval=0.05, limit=2, max_wait=1).granted


def test_a_deferred_host_is_reported_not_waited_for(gate):
    until = time.time() + 300
    gate.defer("busy.example", until)
    started = time.monotonic()
    grant = wait_for_slot(gate, "busy.example", interval=0.01, limit=2, max_wait=30)
    assert not grant.granted
    assert grant.deferred_until == pytest.approx(until, abs=1)
    assert time.monotonic() - started < 10  # max_wait is 30: it did not wait for the host
    assert gate.deferred_until("busy.example") == pytest.approx(until, abs=1)


def test_scopes_do_not_share_state(gate):
    assert gate.acquire("arxiv", interval=5, limit=1, scope="arxiv").granted
    assert gate.acquire("arxiv", interval=5, limit=1, scope="web").granted


def test_threads_racing_for_one_host_get_one_grant_per_interval(gate):
    grants: list[float] = []
    lock = threading.Lock()

    def worker():
        from django.db import connection

        try:
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                grant = gate.acquire("race.example", interval=0.3, limit=2, lease=0.01)
                if grant.granted:
                    with lock:
                        grants.append(time.monotonic())
                time.sleep(0.005)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 3 <= len(grants) <= 5
    gaps = [b - a for a, b in itertools.pairwise(grants)]
    assert min(gaps) >= 0.25


def test_get_gate_follows_the_redis_setting():
    from curricula.linkhealth.politeness import get_gate

    expected = RedisGate if settings.REDIS_URL else DatabaseGate
    assert isinstance(get_gate(), expected)
