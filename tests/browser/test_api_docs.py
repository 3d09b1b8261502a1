"""The API's docs page in a real browser: the vendored Swagger UI renders every operation under
the site's Content-Security-Policy, and "Try it out" works with the session (CSRF included)."""

from __future__ import annotations

import pytest

from notes.models import Progress
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_and_calls_the_api_with_the_session(browser, live_server, screenshots):
    from playwright.sync_api import expect

    user = factories.make_user("alice")
    curriculum = factories.make_curriculum(slug="course", title="Course")
    entry = factories.make_entry(curriculum, "First paper")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    assert page.locator(".opblock").count() == 13
    page.screenshot(path=str(screenshots / "api-docs.png"))

    # Try it out: PUT a status as the signed-in person (the page adds the CSRF header).
    block = page.locator("#operations-my_reading-progress_set")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.locator("input[placeholder='entry_id']").fill(str(entry.pk))
    block.locator("textarea.body-param__text").fill('{"status": "done"}')
    block.get_by_role("button", name="Execute").click()
    expect(block.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200", timeout=10_000
    )
    assert Progress.objects.get(user=user).status == "done"
    assert [p for p in problems if "Content Security Policy" in p] == []
