"""A poisoned batch: one malformed link among good ones must not stop link checking."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from curricula.linkhealth import services
from curricula.models import LinkCheck, Resource
from readlist import http
from tests import factories

# Each of these made httpx or the URL parser raise (InvalidURL, ValueError, UnicodeError, an
# IDNA error) out of the fetch, which threw the whole batch away.
MALFORMED = [
    "http://0177.0.0.1/x",  # an octal IPv4 literal
    "http://\u00e9xample..com/",  # an empty IDNA label
    "http://" + "a" * 70 + ".example.com/",  # a label longer than 63
    "http://xn--zz.com/",  # an invalid A-label
    "http://exa\x00mple.com/",
    "http://[bad/",
    "http://example.com:99999/",
]


class _RawRedirect(BaseHTTPRequestHandler):
    """Sends the Location header byte for byte (werkzeug refuses to send a malformed one)."""

    location = ""

    def do_GET(self) -> None:
        self.send_response(301)
        self.send_header("Location", self.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def redirect_to() -> Iterator:
    servers: list[ThreadingHTTPServer] = []

    def start(location: str) -> str:
        handler = type("Handler", (_RawRedirect,), {"location": location})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/moved"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("url", MALFORMED)
def test_fetch_turns_a_malformed_url_into_a_bad_url_result(url):
    with http.make_client() as client:
        result = http.fetch(url, client=client, total_timeout=2, connect_timeout=1)
    assert result.error == "bad_url", (result.error, result.error_detail)
    assert result.error_detail
    assert not result.network_failure


@pytest.mark.parametrize("url", MALFORMED)
def test_validate_url_raises_its_own_error(url):
    with pytest.raises(http.MalformedURL):
        http.validate_url(url)


@pytest.mark.parametrize(
    "url", ["https://example.com/a?b=c#d", "http://127.0.0.1:8080/", "http://[::1]/x"]
)
def test_validate_url_passes_good_urls(url):
    http.validate_url(url)


@pytest.mark.parametrize("location", ["http://[bad/", "http://0177.0.0.1/x", "http://a..b/"])
def test_redirect_to_a_malformed_location_is_a_bad_url_result(fetch_local, redirect_to, location):
    with http.make_client() as client:
        result = http.fetch(redirect_to(location), client=client)
    assert result.error == "bad_url", (result.error, result.error_detail)
    assert location in result.error_detail or "location" in result.error_detail.lower()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bad", ["stored", "redirect"])
def test_one_malformed_link_is_an_error_and_the_batch_goes_on(
    fast_checker, httpserver, redirect_to, bad
):
    for i in range(8):
        httpserver.expect_request(f"/good{i}").respond_with_data(
            f"<title>Good {i}</title>", content_type="text/html"
        )
    good = [factories.make_resource(httpserver.url_for(f"/good{i}")) for i in range(8)]
    if bad == "stored":
        # The importer would refuse it; a row written before that check existed holds it.
        poisoned = factories.make_resource()
        Resource.objects.filter(id=poisoned.id).update(url="http://0177.0.0.1/x")
    else:
        poisoned = factories.make_resource(redirect_to("http://[bad/"))

    run = services.linkcheck_run(resource_ids=[r.id for r in good] + [poisoned.id])

    assert LinkCheck.objects.filter(run=run).count() == 9
    assert run.counts["ok"] == 8
    assert run.counts["error"] == 1
    check = LinkCheck.objects.get(run=run, resource=poisoned)
    assert check.outcome == "error"
    assert check.error.startswith("bad_url")
    assert Resource.objects.filter(id__in=[r.id for r in good], health="ok").count() == 8


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_failure_on_one_link_is_that_links_error(
    fast_checker, httpserver, monkeypatch
):
    """Whatever else one link raises (a bug in parsing a strange page, say) stays with it."""
    from curricula.linkhealth import checker
    from curricula.linkhealth.politeness import get_gate

    for i in range(8):
        httpserver.expect_request(f"/good{i}").respond_with_data("<title>Good</title>")
    httpserver.expect_request("/strange").respond_with_data("<title>Strange</title>")
    real_classify = checker.classify

    def classify(result, key=0):
        if result.url.endswith("/strange"):
            raise RuntimeError("a page no parser expected")
        return real_classify(result, key)

    monkeypatch.setattr(checker, "classify", classify)
    items = [(i, httpserver.url_for(f"/good{i}")) for i in range(8)]
    items.append((8, httpserver.url_for("/strange")))
    conf = checker.CheckSettings.from_settings()
    outcomes = {o.key: o for o in checker.check_many(items, gate=get_gate(), conf=conf)}
    assert len(outcomes) == 9
    assert [outcomes[i].outcome for i in range(8)] == ["ok"] * 8
    assert outcomes[8].outcome == "error"
    assert "RuntimeError: a page no parser expected" in outcomes[8].error


@pytest.mark.django_db(transaction=True)
def test_a_nul_byte_in_a_page_does_not_lose_the_runs_results(fast_checker, httpserver):
    """PostgreSQL refuses NUL in text: one page with one must not roll back everyone's results."""
    for i in range(3):
        httpserver.expect_request(f"/good{i}").respond_with_data("<title>Good</title>")
    httpserver.expect_request("/nul").respond_with_data(
        b"<title>Bad\x00 title</title>", content_type="text/html"
    )
    resources = [factories.make_resource(httpserver.url_for(f"/good{i}")) for i in range(3)]
    nul = factories.make_resource(httpserver.url_for("/nul"))
    run = services.linkcheck_run(resource_ids=[r.id for r in resources] + [nul.id])
    assert LinkCheck.objects.filter(run=run).count() == 4
    nul.refresh_from_db()
    assert nul.health == "ok"
    assert nul.page_title == "Bad title"
