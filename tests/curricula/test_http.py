"""The one outbound HTTP module: the SSRF guard, redirects, timeouts, the body cap, headers."""

from __future__ import annotations

import ipaddress
import time

import pytest
from werkzeug.wrappers import Response

from readlist import http


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("100.127.255.254", True),
        ("0.0.0.0", True),  # noqa: S104
        ("224.0.0.1", True),
        ("239.255.255.250", True),
        ("255.255.255.255", True),
        ("198.18.0.1", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("fd12:3456::1", True),
        ("ff02::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.0.0.1", True),
        ("64:ff9b::7f00:1", True),
        ("64:ff9b::a9fe:a9fe", True),
        ("2002:7f00:1::", True),
        ("8.8.8.8", False),
        ("1.1.1.1", False),
        ("151.101.1.140", False),
        ("2606:4700:4700::1111", False),
        ("::ffff:8.8.8.8", False),
        ("64:ff9b::808:808", False),
    ],
)
def test_address_table(address, refused):
    assert bool(http.address_refusal(ipaddress.ip_address(address))) is refused


def test_allow_setting_names_hosts_and_ranges(settings):
    settings.READLIST_FETCH_ALLOW = ["intranet.example", "10.20.0.0/16"]
    assert http.is_allowed("intranet.example", ipaddress.ip_address("10.99.0.1"))
    assert http.is_allowed("other.example", ipaddress.ip_address("10.20.3.4"))
    assert not http.is_allowed("other.example", ipaddress.ip_address("10.21.3.4"))


def test_loopback_refused_before_any_request(settings, httpserver):
    settings.READLIST_FETCH_ALLOW = []
    httpserver.expect_request("/").respond_with_data("secret")
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/"), client=client)
    assert result.error == "refused"
    assert "loopback" in result.error_detail
    assert result.status is None
    assert httpserver.log == []


def test_redirect_to_loopback_is_rechecked_and_refused(settings, httpserver):
    # "localhost" is allowed by name, 127.0.0.1 is not: the hop to it must be refused.
    settings.READLIST_FETCH_ALLOW = ["localhost"]
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.1:{httpserver.port}/internal"}
    )
    httpserver.expect_request("/internal").respond_with_data("secret")
    with http.make_client() as client:
        result = http.fetch(f"http://localhost:{httpserver.port}/start", client=client)
    assert result.error == "refused"
    assert [hop.status for hop in result.hops] == [302]
    assert [entry[0].path for entry in httpserver.log] == ["/start"]


def test_headers_are_honest_and_browser_like(fetch_local, httpserver, settings):
    settings.SITE_URL = "https://readlist.example"
    httpserver.expect_request("/").respond_with_data("hi")
    with http.make_client() as client:
        http.fetch(httpserver.url_for("/"), client=client)
    request = httpserver.log[0][0]
    assert "https://readlist.example/" in request.headers["User-Agent"]
    assert request.headers["Accept"].startswith("text/html")


def test_redirect_chain_is_followed_and_recorded(fetch_local, httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=301, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/c"})
    httpserver.expect_request("/c").respond_with_data("", status=308, headers={"Location": "/d"})
    httpserver.expect_request("/d").respond_with_data("done")
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/a"), client=client)
    assert result.status == 200
    assert [hop.status for hop in result.hops] == [301, 302, 308]
    assert result.final_url.endswith("/d")
    assert result.body == b"done"


def test_more_than_ten_redirects_stop(fetch_local, httpserver):
    for i in range(12):
        httpserver.expect_request(f"/r{i}").respond_with_data(
            "", status=302, headers={"Location": f"/r{i + 1}"}
        )
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/r0"), client=client)
    assert result.error == "too_many_redirects"
    assert len(result.hops) == 11


def test_body_is_capped(fetch_local, httpserver):
    httpserver.expect_request("/big").respond_with_data(b"x" * 5_000_000)
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/big"), client=client, max_bytes=10_000)
    assert result.truncated
    assert len(result.body) == 10_000


def test_total_timeout_holds_against_a_slow_server(fetch_local, httpserver):
    def slow(request):
        time.sleep(4)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/slow"), client=client, total_timeout=0.5)
    assert result.error == "timeout"
    assert result.network_failure
    assert time.monotonic() - started < 3  # the server answers after 4 s


def test_closed_port_is_a_network_failure(fetch_local):
    with http.make_client() as client:
        result = http.fetch("http://127.0.0.1:9/", client=client, connect_timeout=1)
    assert result.error == "connect"
    assert result.network_failure


def test_unknown_domain_is_reported_as_dns(fetch_local):
    with http.make_client() as client:
        result = http.fetch("http://no-such-host.invalid/", client=client)
    assert result.error in {"dns", "dns_temporary"}
    assert result.network_failure


def test_reading_stops_at_the_marker(fetch_local, httpserver):
    page = b"<html><head><title>T</title></HEAD><body>" + b"z" * 2_000_000
    httpserver.expect_request("/page").respond_with_data(page)
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/page"), client=client, stop_at=b"</head>")
    assert result.truncated
    assert b"</HEAD>" in result.body
    assert len(result.body) < 200_000


def test_reading_stops_when_the_caller_has_enough(fetch_local, httpserver):
    page = b"<html><head></head><body><main><p>Text</p></MAIN>" + b"z" * 2_000_000
    httpserver.expect_request("/page").respond_with_data(page)
    with http.make_client() as client:
        result = http.fetch(
            httpserver.url_for("/page"), client=client, stop_when=lambda b: b"</main>" in b.lower()
        )
    assert result.truncated
    assert b"</MAIN>" in result.body
    assert len(result.body) < 200_000


# --- READLIST_FETCH_INTERNET=0 (make run's default) -----------------------------------------


def test_internet_off_refuses_public_hosts_without_looking_them_up(settings, monkeypatch):
    settings.READLIST_FETCH_INTERNET = False

    looked_up = []
    real_getaddrinfo = http.socket.getaddrinfo

    def recording(host, *args, **kwargs):
        looked_up.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(http.socket, "getaddrinfo", recording)
    with http.make_client() as client:
        by_name = http.fetch("https://arxiv.org/abs/1706.03762", client=client)
        by_address = http.fetch("http://8.8.8.8/", client=client)
    assert "arxiv.org" not in looked_up
    for result in (by_name, by_address):
        assert result.error == "offline"
        assert result.network_failure  # counted like an absent network: no link state changes
        assert "READLIST_FETCH_INTERNET=0" in result.error_detail


def test_internet_off_still_reaches_allowed_local_servers(settings, httpserver):
    settings.READLIST_FETCH_INTERNET = False
    settings.READLIST_FETCH_ALLOW = ["127.0.0.1"]
    httpserver.expect_request("/").respond_with_data("local")
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/"), client=client)
    assert (result.error, result.status, result.body) == ("", 200, b"local")


def test_internet_off_still_refuses_private_addresses_it_does_not_allow(settings, httpserver):
    settings.READLIST_FETCH_INTERNET = False
    settings.READLIST_FETCH_ALLOW = []
    httpserver.expect_request("/").respond_with_data("secret")
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/"), client=client)
    assert result.error == "refused" and httpserver.log == []
