"""The client address through READLIST_TRUSTED_PROXIES hops of X-Forwarded-For."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from readlist.clientip import client_ip

PROXY = "10.0.0.2"


def request(xff: str | None = None, remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.READLIST_TRUSTED_PROXIES = 0
    assert client_ip(request("203.0.113.9")) == PROXY


@pytest.mark.parametrize(
    ("hops", "xff", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # Entries left of what our proxies wrote came from the client: ignored.
        (1, "1.1.1.1, 8.8.8.8, 203.0.113.9", "203.0.113.9"),
        (2, "1.1.1.1, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "198.51.100.4:5123", "198.51.100.4"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        # Fewer entries than proxies (a hop was skipped): the leftmost we have.
        (3, "203.0.113.9", "203.0.113.9"),
        # Garbage where our proxy writes: fall back to the connection's address.
        (1, "1.1.1.1, not-an-ip", PROXY),
    ],
)
def test_client_is_read_through_the_trusted_hops_only(settings, hops, xff, expected):
    settings.READLIST_TRUSTED_PROXIES = hops
    assert client_ip(request(xff)) == expected


def test_no_header_behind_a_proxy_means_the_connection_address(settings):
    settings.READLIST_TRUSTED_PROXIES = 1
    assert client_ip(request()) == PROXY
