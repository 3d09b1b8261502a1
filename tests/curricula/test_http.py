"""The one outbound HTTP module: the SSRF guard, redirects, timeouts, the body cap, headers."""

from __future__ import annotations

import gzip
import ipaddress
import time
import tracemalloc
import zlib

import pytest

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


def test_total_timeout_holds_against_a_slow_server(fetch_local, httpserver, late):
    httpserver.expect_request("/slow").respond_with_handler(late(4))
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


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "017700000001", "[::1]", "[::]",
     "[::ffff:127.0.0.1]", "[0:0:0:0:0:ffff:7f00:1]", "[::127.0.0.1]", "localhost", "LOCALHOST",
     "localhost.", "127.0.0.1.", "0.0.0.0"],  # noqa: S104
)  # fmt: skip
def test_every_spelling_of_loopback_is_refused_before_any_request(settings, httpserver, host):
    settings.READLIST_FETCH_ALLOW = []
    settings.READLIST_FETCH_INTERNET = True
    httpserver.expect_request("/").respond_with_data("secret")
    with http.make_client() as client:
        result = http.fetch(f"http://{host}:{httpserver.port}/", client=client)
    # Refused by the address check, or not a URL at all (decimal, hex and octal IPv4 forms
    # mean loopback to some parsers and nothing to others), or no such name here.
    assert result.error in {"refused", "bad_url", "dns"}
    assert result.status is None
    # (A late request of an earlier test may still land in the shared server's log.)
    assert "/" not in [request.path for request, _ in httpserver.log]


@pytest.mark.parametrize(
    "target", ["http://[::ffff:127.0.0.1]:{port}/in", "http://2130706433:{port}/in",
               "http://127.1:{port}/in", "http://[::1]:{port}/in"],
)  # fmt: skip
def test_a_redirect_to_loopback_in_any_spelling_is_refused(settings, httpserver, target):
    settings.READLIST_FETCH_ALLOW = ["localhost"]  # the first hop only
    settings.READLIST_FETCH_INTERNET = True
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": target.format(port=httpserver.port)}
    )
    httpserver.expect_request("/in").respond_with_data("secret")
    with http.make_client() as client:
        result = http.fetch(f"http://localhost:{httpserver.port}/start", client=client)
    assert result.error in {"refused", "bad_url"}
    assert "/in" not in [request.path for request, _ in httpserver.log]


def test_a_gzip_bomb_inflates_no_further_than_the_cap(fetch_local, httpserver):
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))  # 50 KB that inflate to 50 MB
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"}
    )
    tracemalloc.start()
    try:
        with http.make_client() as client:
            result = http.fetch(httpserver.url_for("/bomb"), client=client, max_bytes=256 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.truncated
    assert len(result.body) == 256 * 1024
    # httpx's own decoder peaked at 133 MB here; the bound leaves room for other threads.
    assert peak < 32 * 1024 * 1024


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_pages_are_read(fetch_local, httpserver, encoding):
    page = b"<html><head><title>Attention</title></head></html>"
    if encoding == "gzip":
        body = gzip.compress(page)
    elif encoding == "deflate":
        body = zlib.compress(page)
    else:  # some servers send "deflate" without the zlib header
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body = packer.compress(page) + packer.flush()
    header = "gzip" if encoding == "gzip" else "deflate"
    httpserver.expect_request("/p").respond_with_data(body, headers={"Content-Encoding": header})
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/p"), client=client)
    assert result.body == page


def test_a_corrupt_gzip_body_is_a_protocol_error_not_a_crash(fetch_local, httpserver):
    httpserver.expect_request("/p").respond_with_data(
        b"not gzip at all", headers={"Content-Encoding": "gzip"}
    )
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/p"), client=client)
    assert (result.status, result.error) == (None, "protocol")


@pytest.mark.parametrize(
    ("content_type", "declared", "codec"),
    [("text/html", "<meta charset='windows-1252'>", "cp1252"),
     ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">',
      "latin-1"),
     ('text/html; charset="iso-8859-1"', "", "latin-1"),
     ("text/html", "", "cp1252"),  # nothing declared and not UTF-8: what browsers assume
     ("text/html; charset=utf-8", "", "utf-8")],
)  # fmt: skip
def test_the_page_is_read_in_the_charset_it_declares(
    fetch_local, httpserver, content_type, declared, codec
):
    title = "Café — naïve" if codec != "latin-1" else "Café naïve"
    body = f"<html><head>{declared}<title>{title}</title></head></html>".encode(codec)
    httpserver.expect_request("/p").respond_with_data(body, headers={"Content-Type": content_type})
    with http.make_client() as client:
        result = http.fetch(httpserver.url_for("/p"), client=client)
    assert f"<title>{title}</title>" in result.text
