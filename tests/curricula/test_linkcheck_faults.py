"""Link faults the seeds do not show, against real local servers: soft 404s told from real
pages, and results that say nothing about a link never replacing what was known."""

from __future__ import annotations

import socket
import time

import pytest
from werkzeug.wrappers import Response

from curricula.linkhealth import checker, services
from curricula.models import LinkCheck, Resource
from readlist import http
from tests import factories
from tests.curricula.test_linkcheck_run import _age_checks

pytestmark = pytest.mark.django_db(transaction=True)


def _check(url: str) -> checker.Outcome:
    conf = checker.CheckSettings.from_settings()
    with http.make_client() as client:
        return checker.check_one(url, client=client, conf=conf)


def _page(title: str) -> str:
    return f"<html><head><title>{title}</title></head><body><p>text</p></body></html>"


@pytest.mark.parametrize(
    "target",
    ["/lessons/intro", "/professors/smith", "/authors/jane-doe", "/association/news",
     "/blogindex/2021"],
)  # fmt: skip
def test_a_redirect_to_a_path_that_merely_contains_a_login_word_is_ok(
    fast_checker, httpserver, target
):
    httpserver.expect_request("/old").respond_with_data(
        "", status=302, headers={"Location": target}
    )
    httpserver.expect_request(target).respond_with_data(
        _page("Real page"), content_type="text/html"
    )
    out = _check(httpserver.url_for("/old"))
    assert out.outcome == "ok"
    assert out.page_title == "Real page"


@pytest.mark.parametrize(
    "target", ["/accounts/ServiceLogin?continue=x", "/sign-in?next=/paper", "/oauth/authorize"]
)
def test_a_redirect_to_a_login_page_is_a_soft_404(fast_checker, httpserver, target):
    path = target.split("?")[0]
    httpserver.expect_request("/paper").respond_with_data(
        "", status=302, headers={"Location": target}
    )
    httpserver.expect_request(path).respond_with_data(_page("Sign in"), content_type="text/html")
    assert _check(httpserver.url_for("/paper")).outcome == "soft_404"


def test_an_index_page_redirected_to_its_directory_is_not_a_soft_404(fast_checker, httpserver):
    httpserver.expect_request("/index.html").respond_with_data(
        "", status=301, headers={"Location": "/"}
    )
    httpserver.expect_request("/").respond_with_data(_page("Home"), content_type="text/html")
    assert _check(httpserver.url_for("/index.html")).outcome == "ok"


@pytest.mark.parametrize(
    "title",
    ["Page not found", "404 Not Found", "Error 404 - File not found | Example Lab",
     "Page Not Found – Example", "Oops! This page doesn’t exist", "404"],
)  # fmt: skip
def test_a_200_page_whose_title_says_not_found_is_a_soft_404(fast_checker, httpserver, title):
    httpserver.expect_request("/gone").respond_with_data(_page(title), content_type="text/html")
    out = _check(httpserver.url_for("/gone"))
    assert out.outcome == "soft_404"
    assert out.page_title == ""  # an error page's title is not the work's


@pytest.mark.parametrize(
    "title",
    ["Handling 404 Not Found errors in Django", "Not Found: Finding Lost Items in Homes with "
     "Robots", "Lost and Not Found", "The 404 Club"],
)  # fmt: skip
def test_a_page_about_missing_things_is_ok(fast_checker, httpserver, title):
    httpserver.expect_request("/p").respond_with_data(_page(title), content_type="text/html")
    assert _check(httpserver.url_for("/p")).outcome == "ok"


def test_a_pdf_is_ok_and_never_read_for_a_title(fast_checker, httpserver):
    httpserver.expect_request("/p.pdf").respond_with_data(
        b"%PDF-1.4\n<title>Page not found</title>" + b"x" * 1000, content_type="application/pdf"
    )
    out = _check(httpserver.url_for("/p.pdf"))
    assert (out.outcome, out.page_title) == ("ok", "")


@pytest.mark.parametrize(("status", "outcome"), [(401, "blocked"), (403, "blocked"),
    (429, "blocked"), (451, "blocked"), (405, "error"), (500, "error"), (501, "error"),
    (502, "error"), (503, "error"), (504, "error"), (404, "broken"), (410, "broken")])  # fmt: skip
def test_only_404_and_410_say_broken(fast_checker, httpserver, status, outcome):
    httpserver.expect_request("/x").respond_with_data("no", status=status)
    assert _check(httpserver.url_for("/x")).outcome == outcome


def test_refused_connection_and_tls_failure_are_network_errors(fast_checker, httpserver):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    refused = _check(f"http://127.0.0.1:{port}/x")
    tls = _check(httpserver.url_for("/x").replace("http://", "https://"))
    assert (refused.outcome, refused.network_failure) == ("error", True)
    assert (tls.outcome, tls.network_failure) == ("error", True)
    assert tls.error.startswith("tls")


def _flip(httpserver, path: str) -> dict:
    state = {"status": 200, "location": "", "delay": 0.0}

    def handler(request):
        time.sleep(state["delay"])
        headers = {"Location": state["location"]} if state["location"] else {}
        return Response(_page("A paper"), status=state["status"], headers=headers,
                        content_type="text/html")  # fmt: skip

    httpserver.expect_request(path).respond_with_handler(handler)
    httpserver.expect_request("/").respond_with_data(_page("Home"), content_type="text/html")
    httpserver.expect_request("/new").respond_with_data(_page("New"), content_type="text/html")
    return state


@pytest.mark.parametrize("failure", ["503", "429", "timeout"])
def test_a_transient_failure_after_a_good_check_keeps_the_link_ok(
    fast_checker, httpserver, failure
):
    state = _flip(httpserver, "/paper")
    resource = factories.make_resource(httpserver.url_for("/paper"))
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert (resource.health, resource.page_title) == ("ok", "A paper")
    if failure == "timeout":
        state["delay"] = 3.0  # the test checker gives up after 2 s
    else:
        state["status"] = int(failure)
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health == "ok"
    assert resource.page_title == "A paper"
    assert LinkCheck.objects.filter(resource=resource).count() == 2  # the failure is recorded


def test_a_timeout_keeps_a_moved_links_new_address(fast_checker, httpserver):
    state = _flip(httpserver, "/old")
    state.update(status=301, location="/new")
    resource = factories.make_resource(httpserver.url_for("/old"))
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health == "moved"
    assert resource.moved_to.endswith("/new")
    state.update(status=200, location="", delay=3.0)
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health == "moved"
    assert resource.moved_to.endswith("/new")


@pytest.mark.parametrize(
    ("failing", "settled"),
    [
        # The site sends everything to its front page: once is a maintenance window.
        ({"status": 302, "location": "/"}, Resource.Health.SOFT_404),
        # 503 after 503: one is a passing outage; days of nothing else, the link's state.
        ({"status": 503}, Resource.Health.ERROR),
    ],
    ids=["soft-404", "5xx"],
)
def test_a_failing_link_settles_only_after_repeated_checks_over_days(
    fast_checker, httpserver, failing, settled
):
    """The streak that settles broken (three checks over 48 hours) settles a soft 404 and a
    working link that now only fails; one good answer brings it back."""
    state = _flip(httpserver, "/paper")
    resource = factories.make_resource(httpserver.url_for("/paper"))
    services.linkcheck_run(resource_ids=[resource.id])
    _age_checks(resource, [100])
    state.update(failing)
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health == "ok"  # once
    services.linkcheck_run(resource_ids=[resource.id])
    _age_checks(resource, [1, 30])
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health == "ok"  # three in a row, but 30 hours apart
    _age_checks(resource, [24, 49, 60])
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health == settled, list(
        LinkCheck.objects.filter(resource=resource).values_list("outcome", "checked_at", "error")
    )
    state.update(status=200, location="")
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health == "ok"
