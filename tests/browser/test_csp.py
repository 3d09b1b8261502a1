"""The Content-Security-Policy in a real Chromium: htmx works under it, nothing on our pages
trips it, and an image from another site is never fetched (the tracking-pixel hole)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.browser.test_members import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_run_under_the_policy_and_remote_images_never_load(browser, live_server, httpserver):
    from playwright.sync_api import expect

    httpserver.expect_request("/pixel.gif").respond_with_data(b"GIF89a", content_type="image/gif")
    pixel = httpserver.url_for("/pixel.gif")
    alice = factories.make_user("alice", password=PASSWORD)
    bob = factories.make_user("bob")
    factories.make_team(alice, bob)
    course = factories.make_curriculum(slug="csp", title="CSP course")
    entry = factories.make_entry(course, "A paper")
    note = factories.make_note(bob, entry, f"Look ![a chart]({pixel})", visibility="team")

    page = browser.new_context().new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: violations.append(str(e)))
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/curricula/csp/")
    item = page.locator("li.entry").first
    item.get_by_role("button", name="Done").click()  # htmx, from static/, under the policy
    expect(item.locator("button[value$=':done']")).to_have_attribute("aria-pressed", "true")
    page.goto(f"{live_server.url}/notes/{note.pk}/")
    expect(page.get_by_role("link", name="a chart (image)")).to_be_visible()
    assert violations == []

    # Even an <img> that got onto a page somehow is refused by the browser.
    page.evaluate(
        "src => { const i = document.createElement('img'); i.src = src; document.body.append(i); }",
        pixel,
    )
    page.wait_for_timeout(500)
    assert any("img-src" in v for v in violations)
    assert httpserver.log == []
