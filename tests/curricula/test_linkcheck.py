"""The link checker against real local servers: each outcome, the host back-off, politeness."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from curricula.linkhealth import checker
from curricula.linkhealth.politeness import get_gate
from readlist import http

pytestmark = pytest.mark.django_db(transaction=True)


def _check(url: str, **overrides) -> checker.Outcome:
    conf = checker.CheckSettings.from_settings(**overrides)
    with http.make_client() as client:
        return checker.check_one(url, client=client, conf=conf)


def test_200_is_ok_and_keeps_the_page_title(fast_checker, httpserver):
    httpserver.expect_request("/paper").respond_with_data(
        "<html><head><title>Attention Is All You Need &amp; more</title>"
        '<meta property="og:title" content="Attention Is All You Need"></head><body>x</body>',
        content_type="text/html",
    )
    out = _check(httpserver.url_for("/paper"))
    assert out.outcome == "ok"
    assert out.status == 200
    assert out.page_title == "Attention Is All You Need"


def test_title_without_og_title(fast_checker, httpserver):
    httpserver.expect_request("/p").respond_with_data(
        "<html><head><title>\n  Plain   Title\n</title></head>", content_type="text/html"
    )
    assert _check(httpserver.url_for("/p")).page_title == "Plain Title"


@pytest.mark.parametrize("first", [301, 308])
def test_permanent_redirect_elsewhere_is_moved(fast_checker, httpserver, first):
    httpserver.expect_request("/old").respond_with_data(
        "", status=first, headers={"Location": "/mid"}
    )
    httpserver.expect_request("/mid").respond_with_data(
        "", status=302, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data("<title>New home</title>")
    out = _check(httpserver.url_for("/old"))
    assert out.outcome == "moved"
    assert out.moved_to.endswith("/new")


def test_temporary_redirect_is_ok(fast_checker, httpserver):
    httpserver.expect_request("/t").respond_with_data("", status=302, headers={"Location": "/x"})
    httpserver.expect_request("/x").respond_with_data("fine")
    assert _check(httpserver.url_for("/t")).outcome == "ok"


def test_redirect_loop_is_an_error_not_broken(fast_checker, httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    out = _check(httpserver.url_for("/a"))
    assert out.outcome == "error"
    assert "loop" in out.error


@pytest.mark.parametrize("status", [404, 410])
def test_not_found_and_gone_are_broken(fast_checker, httpserver, status):
    httpserver.expect_request("/gone").respond_with_data("nope", status=status)
    assert _check(httpserver.url_for("/gone")).outcome == "broken"


def test_405_on_head_does_not_matter_because_we_get(fast_checker, httpserver):
    httpserver.expect_request("/h", method="HEAD").respond_with_data("", status=405)
    httpserver.expect_request("/h", method="GET").respond_with_data("<title>Works</title>")
    out = _check(httpserver.url_for("/h"))
    assert out.outcome == "ok"
    assert httpserver.log[-1][0].method == "GET"


def test_403_for_a_non_browser_agent_is_blocked_not_broken(fast_checker, httpserver):
    def picky(request):
        if "Mozilla" not in request.headers.get("User-Agent", ""):
            return Response("robots go away", status=403)
        return Response("hello human")

    httpserver.expect_request("/picky").respond_with_handler(picky)
    assert _check(httpserver.url_for("/picky")).outcome == "blocked"


def test_bot_challenge_page_is_blocked(fast_checker, httpserver):
    httpserver.expect_request("/cf").respond_with_data(
        "<title>Just a moment...</title><script src='/cdn-cgi/challenge-platform/x'></script>",
        status=503,
        headers={"cf-mitigated": "challenge"},
        content_type="text/html",
    )
    out = _check(httpserver.url_for("/cf"))
    assert out.outcome == "blocked"
    assert out.page_title == ""  # "Just a moment..." is not the page's title


def test_503_is_an_error(fast_checker, httpserver):
    httpserver.expect_request("/down").respond_with_data("busy", status=503)
    out = _check(httpserver.url_for("/down"))
    assert out.outcome == "error"
    assert out.deferred_until is None


def test_slower_than_the_timeout_is_an_error(fast_checker, httpserver, late):
    httpserver.expect_request("/slow").respond_with_handler(late(1.2))
    out = _check(httpserver.url_for("/slow"), timeout=0.4)
    assert out.outcome == "error"
    assert out.network_failure


def test_huge_body_is_read_only_up_to_the_cap(fast_checker, httpserver):
    page = b"<html><head><title>Huge</title></head><body>" + b"y" * 8_000_000
    httpserver.expect_request("/huge").respond_with_data(page, content_type="text/html")
    started = time.monotonic()
    out = _check(httpserver.url_for("/huge"), max_bytes=64 * 1024)
    assert out.outcome == "ok"
    assert out.page_title == "Huge"
    assert time.monotonic() - started < 8  # catches a hang on the rest of the body, not speed


def test_soft_404_redirect_to_front_page(fast_checker, httpserver):
    httpserver.expect_request("/blog/post-that-was-removed").respond_with_data(
        "", status=301, headers={"Location": "/"}
    )
    httpserver.expect_request("/").respond_with_data("<title>Welcome</title>")
    assert _check(httpserver.url_for("/blog/post-that-was-removed")).outcome == "soft_404"


def test_soft_404_redirect_to_login(fast_checker, httpserver):
    httpserver.expect_request("/doc/1").respond_with_data(
        "", status=302, headers={"Location": "/accounts/login?next=/doc/1"}
    )
    httpserver.expect_request("/accounts/login").respond_with_data("<title>Sign in</title>")
    assert _check(httpserver.url_for("/doc/1")).outcome == "soft_404"


def test_redirect_to_loopback_while_not_allowed_is_refused(fast_checker, httpserver, settings):
    settings.READLIST_FETCH_ALLOW = ["localhost"]
    httpserver.expect_request("/r").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.1:{httpserver.port}/admin"}
    )
    out = _check(f"http://localhost:{httpserver.port}/r")
    assert out.outcome == "error"
    assert "refused" in out.error
    assert not out.network_failure


def test_429_retry_after_defers_the_rest_of_that_host_without_requesting(fast_checker, httpserver):
    httpserver.expect_request("/busy/1").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    httpserver.expect_request("/other").respond_with_data("fine")
    # The other links of the throttled host use "localhost"; a second host is 127.0.0.1.
    items = [(1, f"http://localhost:{httpserver.port}/busy/1")]
    items += [(i, f"http://localhost:{httpserver.port}/busy/{i}") for i in range(2, 6)]
    items.append((99, f"http://127.0.0.1:{httpserver.port}/other"))
    conf = checker.CheckSettings.from_settings(limit=1)
    before = time.time()
    outcomes = {o.key: o for o in checker.check_many(items, gate=get_gate(), conf=conf)}
    assert outcomes[1].outcome == "blocked"
    assert outcomes[99].outcome == "ok"
    for key in range(2, 6):
        assert not outcomes[key].checked
        assert outcomes[key].deferred_until >= before + 119
    requested = [entry[0].path for entry in httpserver.log]
    assert [p for p in requested if p.startswith("/busy")] == ["/busy/1"]
    assert get_gate().deferred_until("localhost") is not None


def test_retry_after_is_capped(fast_checker, httpserver, settings):
    settings.READLIST_LINKCHECK_RETRY_AFTER_CAP = 60
    httpserver.expect_request("/x").respond_with_data(
        "", status=429, headers={"Retry-After": "999999"}
    )
    out = _check(httpserver.url_for("/x"))
    assert out.deferred_until <= time.time() + 61


def test_politeness_one_request_per_interval_and_two_at_once(fast_checker, httpserver, settings):
    active = 0
    peak = 0
    stamps: list[float] = []
    lock = threading.Lock()

    def handler(request):
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            stamps.append(time.monotonic())
        time.sleep(0.5)
        with lock:
            active -= 1
        return Response("ok")

    server = HTTPServer(threaded=True)
    server.start()
    try:
        server.expect_request("/p").respond_with_handler(handler)
        items = [(i, server.url_for(f"/p?i={i}")) for i in range(6)]
        conf = checker.CheckSettings.from_settings(interval=0.2, limit=2, threads=8)
        outcomes = checker.check_many(items, gate=get_gate(), conf=conf)
    finally:
        server.stop()
    assert all(o.outcome == "ok" for o in outcomes)
    assert peak == 2
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.18


def test_hosts_are_checked_in_parallel(fast_checker, httpserver):
    """Two hosts are in flight at once: each answer waits until both requests have arrived, so a
    checker that went one host at a time would see its first request time out, not "ok". No
    stopwatch, so a loaded machine cannot fail it."""
    both_arrived = threading.Event()
    arrived = 0
    lock = threading.Lock()

    def waits_for_the_other(request):
        nonlocal arrived
        with lock:
            arrived += 1
            if arrived == 2:
                both_arrived.set()
        if not both_arrived.wait(timeout=4):
            return Response("alone", status=503)
        return Response("ok")

    server = HTTPServer(threaded=True)
    server.start()
    try:
        server.expect_request("/s").respond_with_handler(waits_for_the_other)
        items = [
            (1, f"http://localhost:{server.port}/s"),
            (2, f"http://127.0.0.1:{server.port}/s"),
        ]
        conf = checker.CheckSettings.from_settings()
        outcomes = checker.check_many(items, gate=get_gate(), conf=conf)
    finally:
        server.stop()
    assert [o.outcome for o in outcomes] == ["ok", "ok"]
    assert arrived == 2
