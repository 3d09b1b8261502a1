"""Sign-in rate limits behind a proxy: per client, and lockouts per (account, client IP)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories

LOGIN = "/accounts/login/"
PASSWORD = "correct horse battery staple"  # tests/factories.py
PROXY = "10.0.0.2"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.READLIST_TRUSTED_PROXIES = 1


def attempt(user, ip: str, password: str = PASSWORD, *, spoof: str = ""):
    """A fresh browser at `ip`, behind our proxy (which appends `ip` to X-Forwarded-For)."""
    xff = f"{spoof}, {ip}" if spoof else ip
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)
    return client.post(LOGIN, {"login": user.username, "password": password})


def locked(response) -> bool:
    return response.status_code == 429 or b"Too many failed login attempts" in response.content


def test_fifty_people_behind_the_proxy_all_sign_in_within_a_minute():
    people = [factories.make_user() for _ in range(50)]
    statuses = [attempt(p, f"198.51.100.{i + 1}").status_code for i, p in enumerate(people)]
    assert statuses == [302] * 50


def test_ten_failures_from_an_office_ip_do_not_lock_out_a_colleague():
    office = "203.0.113.10"
    typist, colleague = factories.make_user(), factories.make_user()
    for _ in range(4):
        assert not locked(attempt(typist, office, "typo"))
    for other in [factories.make_user() for _ in range(6)]:
        assert not locked(attempt(other, office, "typo"))
    assert attempt(colleague, office).status_code == 302


def test_failures_from_many_ips_do_not_lock_the_person_out():
    victim = factories.make_user()
    for i in range(12):
        for _ in range(5):
            attempt(victim, f"192.0.2.{i + 1}", "guess")
    assert attempt(victim, "198.51.100.77").status_code == 302


def test_five_failures_lock_that_account_from_that_ip_even_with_a_spoofed_header():
    user = factories.make_user()
    attacker = "192.0.2.66"
    for i in range(5):
        assert not locked(attempt(user, attacker, "guess", spoof=f"172.16.0.{i}"))
    assert locked(attempt(user, attacker, PASSWORD, spoof="172.16.0.99"))
    # The same person from their own address is not affected.
    assert attempt(user, "198.51.100.5").status_code == 302


def test_one_address_guessing_across_accounts_hits_the_per_ip_cap():
    attacker = "192.0.2.99"
    accounts = [factories.make_user() for _ in range(31)]
    results = [locked(attempt(account, attacker, "guess")) for account in accounts]
    assert results[:30] == [False] * 30 and results[30]
