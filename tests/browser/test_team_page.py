"""Issue 14, item 9 ("read together") in a real Chromium: Alice shares a note, Bob finds it on
the team page from the navigation and comments "@alice …" (a double click makes one comment),
Alice is mailed and sees the thread, on a desktop and on a 390-px phone. Screenshots land in
var/screenshots/issue14-team-page-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from notes import services as notes_services
from teams import services
from teams.models import Comment
from tests import factories
from tests.browser.test_issue14 import DESKTOP, PHONE, WIDER_THAN_SCREEN, no_horizontal_scroll
from tests.browser.test_issue14 import sign_in as _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    boss = factories.make_user("max", first_name="Max", last_name="Manager")
    alice = factories.make_user("alice", first_name="Alice", last_name="Adams")
    bob = factories.make_user("bob", first_name="Bob", last_name="Brown")
    team = factories.make_team(alice, bob, managers=[boss], name="Research", slug="research")
    course = factories.make_curriculum(slug="scaling", title="Scaling", completion_rule="all")
    tier = factories.make_tier(course, 1, title="Laws")
    entries = [
        factories.make_entry(course, title, tier=tier, role="core", position=i)
        for i, title in enumerate(
            ["Kaplan scaling laws", "Compute-optimal training", "Few-shot learners"]
        )
    ]
    today = timezone.localdate()
    services.assignment_create(
        actor=boss,
        team=team,
        curriculum=course,
        start_date=today - dt.timedelta(days=10),
        due_date=today + dt.timedelta(days=20),
    )
    notes_services.progress_set(actor=bob, entry=entries[1], status="done")
    notes_services.progress_set(actor=alice, entry=entries[2], status="done")
    factories.make_note(bob, entries[2], "Bob's private musings")
    return {"alice": alice, "bob": bob, "entries": entries}


@pytest.fixture
def eager_mail():
    """The comment-mail task runs in the server's thread, into Django's test outbox."""
    from readlist.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def sign_in(browser, base, email, viewport=DESKTOP):
    return _sign_in(browser, base, email, viewport)


def test_a_shared_note_discussed_on_the_team_page(browser, live_server, world, shots, eager_mail):
    from playwright.sync_api import expect

    base = live_server.url
    shot = shots("issue14-team-page-")

    # --- Alice shares a note through the editor ---------------------------------------------
    context, page = sign_in(browser, base, "alice@example.com")
    page.goto(f"{base}/curricula/scaling/entries/{world['entries'][0].pk}/")
    page.fill("#note-body", "## Takeaway\n\nLoss falls as a **power law** in compute.")
    page.select_option("#note-visibility", "team")
    expect(page.locator("#note-saved")).to_contain_text("Saved · version 1")
    context.close()

    # --- Bob finds it from the navigation and comments, mentioning Alice --------------------
    context, page = sign_in(browser, base, "bob@example.com")
    page.get_by_role("link", name="Team", exact=True).click()
    page.wait_for_url(f"{base}/teams/research/together/")
    note = page.locator("article.team-note").first
    expect(note).to_contain_text("Kaplan scaling laws")
    expect(note.locator(".prose strong")).to_have_text("power law")
    expect(page.locator("body")).not_to_contain_text("private musings")
    finished = page.locator("section.finished")
    expect(finished).to_contain_text("Bob Brown")
    expect(finished).to_contain_text("Compute-optimal training")
    expect(finished).to_contain_text("Few-shot learners")

    box = note.locator("textarea[name=body]")
    box.fill("@alice does this hold *past* Chinchilla?")
    note.get_by_role("button", name="Comment").dblclick()
    thread = note.locator("section.thread")
    expect(thread.locator("li.comment")).to_have_count(1)
    expect(thread.locator(".mention")).to_have_text("@alice")
    expect(thread.locator("em")).to_have_text("past")
    # The swap keeps the page: the form is back, empty, with a fresh key.
    expect(note.locator("textarea[name=body]")).to_have_value("")
    assert Comment.objects.count() == 1

    # Bob edits it in place: the comment becomes its form, and comes back marked "edited".
    thread.locator("li.comment").first.get_by_role("link", name="Edit").click()
    editor = thread.locator("li.comment.editing textarea")
    expect(editor).to_be_focused()
    editor.fill("@alice does this hold *past* Chinchilla's 20 tokens a parameter?")
    thread.get_by_role("button", name="Save").click()
    expect(thread.locator("li.comment").first).to_contain_text("20 tokens a parameter")
    expect(thread.locator("li.comment").first).to_contain_text("· edited")

    # An empty comment is refused in words, in place.
    note.locator("textarea[name=body]").fill("   ")
    note.locator("textarea[name=body]").evaluate("e => e.removeAttribute('required')")
    note.get_by_role("button", name="Comment").click()
    expect(thread.locator("p.error")).to_contain_text("required")

    # A second comment, then removed: the thread keeps its place for it.
    note.locator("textarea[name=body]").fill("Never mind, found it.")
    note.get_by_role("button", name="Comment").click()
    expect(thread.locator("li.comment")).to_have_count(2)
    page.once("dialog", lambda dialog: dialog.accept())
    thread.locator("li.comment").nth(1).get_by_role("button", name="Remove").click()
    expect(thread.locator("li.comment.removed")).to_have_text("Comment removed")
    shot(page, "bob-desktop")
    context.close()

    # Alice was mailed once per comment: the mention (she wrote the note too, still one mail),
    # then the second comment on her note. Nobody else was.
    to_alice = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert len(to_alice) == len(mail.outbox) == 2, [m.subject for m in mail.outbox]
    assert to_alice[0].subject == "Bob Brown mentioned you on “Kaplan scaling laws”"

    # --- Alice sees the discussion ---------------------------------------------------------
    context, page = sign_in(browser, base, "alice@example.com")
    page.goto(f"{base}/teams/research/together/")
    thread = page.locator("article.team-note").first.locator("section.thread")
    expect(thread).to_contain_text("Bob Brown")
    expect(thread.locator(".mention")).to_have_attribute("title", "Alice Adams")
    expect(thread).to_contain_text("Comment removed")
    expect(thread).not_to_contain_text("Never mind")
    shot(page, "desktop")
    page.locator("article.team-note h3 a").first.click()
    expect(page.locator("h1")).to_have_text("Kaplan scaling laws")
    shot(page, "thread-desktop")
    context.close()

    # --- On a phone ------------------------------------------------------------------------
    phone, page = sign_in(browser, base, "alice@example.com", PHONE)
    page.goto(f"{base}/teams/research/together/")
    expect(page.locator("article.team-note")).to_have_count(1)
    assert no_horizontal_scroll(page), page.evaluate(WIDER_THAN_SCREEN)
    shot(page, "phone")
    page.locator("article.team-note h3 a").first.click()
    # Measure the entry page, not the team page as it unloads: its document can be null then.
    expect(page.locator("h1")).to_have_text("Kaplan scaling laws")
    assert no_horizontal_scroll(page), page.evaluate(WIDER_THAN_SCREEN)
    shot(page, "thread-phone")
    phone.close()
    assert all(p.stat().st_size > 10_000 for p in shot.paths)
