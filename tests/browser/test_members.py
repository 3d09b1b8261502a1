"""A member in a real browser: sign in, follow elicit, mark entries done, write a note."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from notes.models import Enrollment, Note, Progress
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def elicit(transactional_db):
    """The real bundled curricula when the importer is there; a factory-built one otherwise."""
    try:
        call_command("load_bundled_curricula", verbosity=0)
    except Exception:  # pragma: no cover - only before the importer landed
        factories.make_curriculum_with_entries(40, slug="elicit", reading_order="by_tier")
    from curricula.models import Curriculum

    return Curriculum.objects.get(slug="elicit")


@pytest.fixture
def alice(transactional_db):
    return factories.make_user("alice", password=PASSWORD, first_name="Alice")


def sign_in(page, base_url, screenshot=None):
    page.goto(base_url + "/accounts/login/")
    if screenshot:
        page.screenshot(path=str(screenshot))
    page.fill("input[name=login]", "alice@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(base_url + "/")


def test_member_follows_marks_done_and_writes_a_note(
    browser, live_server, elicit, alice, screenshots
):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, screenshots / "sign-in.png")
    expect(page.get_by_role("heading", name="My curricula")).to_be_visible()

    page.goto(f"{live_server.url}/curricula/elicit/")
    page.get_by_role("button", name="Follow this curriculum").click()
    expect(page.get_by_text("Following since")).to_be_visible()
    assert Enrollment.objects.filter(user=alice, curriculum=elicit).exists()

    entries = page.locator("li.entry")
    titles = []
    for i in range(3):
        item = entries.nth(i)
        titles.append(item.locator(".entry-title").inner_text())
        item.get_by_role("button", name="Done").click()
        # htmx swaps the control in place: no navigation, the button shows as pressed.
        expect(item.locator("button[value$=':done']")).to_have_attribute("aria-pressed", "true")
    assert page.url == f"{live_server.url}/curricula/elicit/"
    assert Progress.objects.filter(user=alice, status="done").count() == 3
    expect(page.locator("#overall-progress")).not_to_contain_text(re.compile(r"^\s*0%"))
    # The other tiers load when opened, in place.
    section = page.locator("details.tier-entries:not([open])").first.evaluate(
        "e => e.closest('section').id"
    )
    closed = page.locator(f"#{section} details.tier-entries")
    closed.locator("summary").click()
    expect(closed.locator("li.entry").first).to_be_visible()
    assert page.url == f"{live_server.url}/curricula/elicit/"
    page.screenshot(path=str(screenshots / "curriculum.png"))
    page.screenshot(path=str(screenshots / "curriculum-full.png"), full_page=True)

    # Write a note; it saves itself and says so.
    entries.nth(0).get_by_role("link", name=re.compile("Details")).click()
    expect(page.get_by_text("Saves itself a moment after you stop typing.")).to_be_visible()
    editor = page.locator("#note-body")
    editor.fill("## What knob this gives me\n\nAttention, **everywhere**.")
    expect(page.locator("#note-saved")).to_contain_text("Saved · version 1", timeout=10_000)
    assert Note.objects.get(user=alice).body.startswith("## What knob")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#note-preview strong")).to_have_text("everywhere")
    page.reload()
    expect(page.locator("#note-body")).to_have_value(re.compile("Attention, \\*\\*everywhere"))
    page.screenshot(path=str(screenshots / "entry.png"), full_page=True)

    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name=elicit.title)).to_be_visible()
    expect(page.get_by_text("My recent notes")).to_be_visible()
    page.screenshot(path=str(screenshots / "home.png"), full_page=True)

    # A phone-sized screen shows the same pages without sideways scrolling.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, storage_state=context.storage_state()
    )
    small = phone.new_page()
    small.goto(f"{live_server.url}/curricula/elicit/")
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    small.locator("li.entry").first.scroll_into_view_if_needed()
    small.screenshot(path=str(screenshots / "curriculum-phone.png"))
    phone.close()
    context.close()


def test_two_tabs_never_overwrite_each_other(browser, live_server, elicit, alice):
    from playwright.sync_api import expect

    context = browser.new_context()
    first = context.new_page()
    sign_in(first, live_server.url)
    entry = elicit.entries.active().order_by("position").first()
    url = f"{live_server.url}/curricula/elicit/entries/{entry.pk}/"
    first.goto(url)
    second = context.new_page()
    second.goto(url)

    first.locator("#note-body").fill("Text from the first tab")
    expect(first.locator("#note-saved")).to_contain_text("Saved · version 1", timeout=10_000)
    second.locator("#note-body").fill("Text from the second tab")
    expect(second.locator(".conflict")).to_be_visible(timeout=10_000)
    expect(second.locator("#conflict-saved")).to_have_value("Text from the first tab")
    expect(second.locator("#note-body")).to_have_value("Text from the second tab")
    assert Note.objects.get(user=alice).body == "Text from the first tab"

    second.get_by_role("button", name="Save my text as the newest version").click()
    expect(second.locator("#note-saved")).to_contain_text("version 2", timeout=10_000)
    note = Note.objects.get(user=alice)
    assert (note.body, note.version) == ("Text from the second tab", 2)
    context.close()


def test_everything_works_with_javascript_off(browser, live_server, elicit, alice, screenshots):
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/curricula/elicit/")
    page.get_by_role("button", name="Follow this curriculum").click()
    item = page.locator("li.entry").first
    item.get_by_role("button", name="Done").click()
    # A full round trip: the page comes back with the status set and a message.
    expect(page.locator(".messages")).to_contain_text("marked done")
    expect(page.locator("li.entry").first.locator("button[value$=':done']")).to_have_attribute(
        "aria-pressed", "true"
    )
    # Another tier: opening it offers a link to a page where it is open.
    section = page.locator("details.tier-entries:not([open])").first.evaluate(
        "e => e.closest('section').id"
    )
    closed = page.locator(f"#{section} details.tier-entries")
    closed.locator("summary").click()
    closed.get_by_role("link", name=re.compile("Show the entries")).click()
    expect(
        page.locator("details.tier-entries[open]").first.locator("li.entry").first
    ).to_be_visible()
    assert "/tiers/" in page.url
    page.goto(f"{live_server.url}/curricula/elicit/")

    page.locator("li.entry").first.get_by_role("link", name=re.compile("Details")).click()
    expect(page.get_by_text("Press Save to keep your changes.")).to_be_visible()
    expect(page.get_by_text("Saves itself a moment")).to_be_hidden()
    page.locator("#note-body").fill("Written without JavaScript")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#note-preview")).to_contain_text("Written without JavaScript")
    assert not Note.objects.exists()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Note saved (version 1)")
    expect(page.locator("#note-body")).to_have_value("Written without JavaScript")
    page.screenshot(path=str(screenshots / "entry-no-js.png"), full_page=True)
    context.close()
