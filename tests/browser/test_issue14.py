"""Issue 14 in a real Chromium, as a member, a second member and their manager, on a desktop
and on a 390-px phone: deadlines on home and the curriculum page, search (arXiv id, typo,
teammates' shared notes, plain-text snippets, my status, no results in words), autosave
sessions in the note history, and a dashboard whose chart agrees with its CSV under a filter
(with heatmap text readable on the phone); then what changed in a list since the last visit and
what it does to progress, an admin's invitation into the team through sign-up to the assigned
curriculum, and notes worth a second look ("Still true", "Edit").
Screenshots land in var/screenshots/issue14-*.png."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone

from notes import services as notes_services
from notes.models import Note
from teams import services
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):
    boss = factories.make_user("max", first_name="Max", last_name="Manager")
    alice = factories.make_user("alice", first_name="Alice", last_name="Adams")
    bob = factories.make_user("bob", first_name="Bob", last_name="Brown")
    team = factories.make_team(alice, bob, managers=[boss], name="Research", slug="research")
    course = factories.make_curriculum(slug="scaling", title="Scaling", completion_rule="all")
    tier = factories.make_tier(course, 1, title="Laws")
    papers = [
        (
            "https://arxiv.org/abs/2001.08361",
            "Kaplan scaling laws",
            "",
            "Scaling Laws for Neural Language Models",
        ),
        (
            "https://arxiv.org/abs/2203.15556",
            "Compute-optimal training",
            "Chinchilla",
            "Training Compute-Optimal Large Language Models",
        ),
        (
            "https://arxiv.org/abs/2005.14165",
            "Few-shot learners",
            "GPT-3",
            "Language Models are Few-Shot Learners",
        ),
        ("https://example.org/blog/temperature", "Sampling temperature, explained", "", ""),
    ]
    entries = []
    for i, (url, title, alias, real) in enumerate(papers):
        r = factories.make_resource(url, title=real)
        entries.append(
            factories.make_entry(
                course, title, tier=tier, role="core", alias=alias, resource=r, position=i
            )
        )
    elsewhere = factories.make_curriculum(slug="elsewhere", title="Elsewhere")
    for i in range(6):
        factories.make_entry(elsewhere, f"Unassigned reading {i}", position=i)
    today = timezone.localdate()
    services.assignment_create(
        actor=boss,
        team=team,
        curriculum=course,
        start_date=today - dt.timedelta(days=10),
        due_date=today + dt.timedelta(days=20),
    )
    # Bob reads a lot, half of it in a curriculum nobody assigned him.
    for e in entries[:3]:
        notes_services.progress_set(actor=bob, entry=e, status="done")
    for e in elsewhere.entries.all():
        notes_services.progress_set(actor=bob, entry=e, status="done")
    factories.make_note(bob, entries[3], "Bob's private temperature musings")
    return {"alice": alice, "bob": bob, "entries": entries}


def sign_in(browser, base_url, email, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(base_url + "/")
    return context, page


# The elements that reach past the screen's right edge, to say what overflows.
WIDER_THAN_SCREEN = (
    "Array.from(document.querySelectorAll('body *'))"
    ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 6)"
    ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
)


# The smallest text of any heatmap on the page in CSS pixels as drawn: its font size times
# the scale the SVG is drawn at (its width on screen over its viewBox's).
SMALLEST_HEATMAP_TEXT = (
    "Math.min(...Array.from(document.querySelectorAll('figure.heatmap svg')).flatMap(svg =>"
    " Array.from(svg.querySelectorAll('text')).map(t =>"
    " parseFloat(getComputedStyle(t).fontSize)"
    " * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width)))"
)


def no_horizontal_scroll(page) -> bool:
    """Whether the page as loaded fits the screen's width. Callers wait for the page they mean
    (a heading, a URL) first: during a navigation the old document may already be gone."""
    page.wait_for_load_state()
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_members_and_their_manager_walk_issue_14(browser, live_server, world, screenshots, shots):
    from playwright.sync_api import expect

    base = live_server.url
    shot = shots("issue14-")

    # --- Bob, the second member, shares a note with the team through the editor -------------
    context, page = sign_in(browser, base, "bob@example.com")
    page.goto(f"{base}/curricula/scaling/entries/{world['entries'][0].pk}/")
    page.fill(
        "#note-body",
        "## Knob\n\n**Temperature** of the *loss curve*: see [Kaplan](https://arxiv.org/abs/2001.08361).",
    )
    page.select_option("#note-visibility", "team")
    expect(page.locator("#note-saved")).to_contain_text("Saved · version 1")
    context.close()

    # --- Alice, behind on her assignment ---------------------------------------------------------
    context, page = sign_in(browser, base, "alice@example.com")
    deadline = page.locator("p.deadline").first
    expect(deadline).to_contain_text("Behind")
    expect(deadline).to_contain_text("you are at 0%, expected 33% by today")
    shot(page, "member-home")
    page.get_by_role("link", name="Scaling").first.click()
    expect(page.locator("p.deadline")).to_contain_text("Behind")
    shot(page, "member-curriculum")

    # Keyboard: Enter on a status button changes it and focus stays on that button.
    done = page.locator(f"button[form=status-form][value='{world['entries'][3].pk}:done']")
    done.focus()
    page.keyboard.press("Enter")
    expect(done).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(
        "document.activeElement && document.activeElement.getAttribute('value') === "
        f"'{world['entries'][3].pk}:done'"
    )
    # The deadline line moves with the progress (0% -> 25% of the four entries).
    expect(page.locator("p.deadline")).to_contain_text("you are at 25%, expected 33% by today")
    shot(page, "member-curriculum-focus")

    # Search: an arXiv id, a typo, a teammate's shared note as text, my status, nothing found.
    page.goto(f"{base}/search/?q=2001.08361")
    expect(page.locator("ol.results li").first).to_contain_text("Kaplan scaling laws")
    page.goto(f"{base}/search/?q=chinchila")
    expect(page.get_by_text("these titles are spelt alike")).to_be_visible()
    expect(page.locator("ol.results li").first).to_contain_text("Compute-optimal training")
    page.goto(f"{base}/search/?q=temperature")
    shared = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("Shared by my team"))
    )
    expect(shared).to_contain_text("Temperature of the loss curve: see Kaplan.")
    expect(shared).to_contain_text("Bob Brown")
    expect(page.get_by_text("private temperature musings")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("**Temperature**")
    shot(page, "member-search")
    page.goto(f"{base}/search/?q=zzyzx+quokka")
    expect(page.locator("p.no-results")).to_contain_text("Nothing matches")
    shot(page, "member-search-empty")

    # Autosave: three pauses while typing make one version, and history says so.
    page.goto(f"{base}/curricula/scaling/entries/{world['entries'][1].pk}/")
    editor = page.locator("#note-body")
    for words in (
        "Compute and data",
        " should grow together.",
        " Chinchilla: 20 tokens a parameter.",
    ):
        editor.press("End")
        editor.type(words)
        editor.press("Control+s")
        expect(page.locator("#note-saved")).to_contain_text("Saved · version 1")
        page.wait_for_function(
            "document.querySelector('#note-saved').textContent.startsWith('Saved')"
        )
    note = Note.objects.get(user=world["alice"], resource=world["entries"][1].resource)
    assert (note.version, note.saves) == (1, 3)
    page.goto(f"{base}/notes/{note.pk}/history/")
    expect(page.locator("table.history")).to_contain_text("3 saves")
    shot(page, "member-note-history")

    # On a phone.
    phone, phone_page = sign_in(browser, base, "alice@example.com", PHONE)
    expect(phone_page.locator("p.deadline").first).to_contain_text("Behind")
    shot(phone_page, "member-home-phone")
    phone_page.goto(f"{base}/search/?q=temperature")
    shot(phone_page, "member-search-phone")
    phone.close()
    context.close()

    # --- Max, their manager: the chart agrees with the table and CSV under a filter -------------
    context, page = sign_in(browser, base, "max@example.com")
    page.goto(f"{base}/teams/research/")
    shot(page, "manager-dashboard")
    for query in ("", "?q=bob", "?q=alice", "?state=behind"):
        page.goto(f"{base}/teams/research/{query}")
        numbers = page.locator("table.numbers tbody tr td:nth-child(2)")
        chart_last = int(numbers.last.text_content()) if numbers.count() else 0
        with page.expect_download() as download:
            page.get_by_role("link", name="Download CSV").click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
        assert chart_last == sum(int(r["entries_finished"]) for r in rows), query
    # Bob's six unassigned papers are not in the team's chart: 3 done, not 9.
    page.goto(f"{base}/teams/research/?q=bob")
    expect(page.locator("table.numbers tbody tr td:nth-child(2)").last).to_have_text("3")
    context.close()

    phone, page = sign_in(browser, base, "max@example.com", PHONE)
    page.goto(f"{base}/teams/research/")
    shot(page, "manager-dashboard-phone")
    wide = []
    for path in (
        "/teams/research/",
        f"/teams/research/people/{world['alice'].pk}/",
        "/teams/research/assignments/",
        "/",
        "/search/?q=temperature",
    ):
        page.goto(base + path)
        if not no_horizontal_scroll(page):
            wide.append((path, page.evaluate(WIDER_THAN_SCREEN)))
    # The heatmap's text is read at its own size on a phone (it scrolls, never shrinks).
    page.goto(f"{base}/teams/research/")
    heat = page.locator("figure.heatmap").first
    heat.scroll_into_view_if_needed()
    assert page.evaluate(SMALLEST_HEATMAP_TEXT) >= 12
    heat.screenshot(path=str(screenshots / "issue14-heatmap-phone.png"))
    page.goto(f"{base}/teams/research/people/{world['alice'].pk}/")
    assert page.evaluate(SMALLEST_HEATMAP_TEXT) >= 12
    shot(page, "manager-member-phone")
    page.goto(f"{base}/teams/research/assignments/")
    shot(page, "manager-assignments-phone")
    assert wide == [], wide
    phone.close()
    assert all(p.stat().st_size > 10_000 for p in shot.paths)


LIST_V1 = """# Changing list

## Basics

- [Finished Then Retired](https://example.org/retired)
- [Stays](https://example.org/stays)
- [Moves](https://openreview.net/pdf?id=abc123)
- [Unread](https://example.org/unread)
"""
LIST_V2 = (
    LIST_V1.replace("- [Finished Then Retired](https://example.org/retired)\n", "").replace(
        "https://openreview.net/pdf?id=abc123", "https://arxiv.org/abs/2001.08361"
    )
    + "- [Brand New Paper](https://example.org/new)\n"
)


@pytest.fixture
def later_world(world):
    """On top of `world`: Alice follows a list that a later revision changed (retiring a paper
    she had finished), and has notes on papers she finished about a week, a month and three
    months ago; Bob shared one on the month-old paper, and keeps one private on the week-old.

    The finish dates sit mid-window (9, 30 and 90 days ago) so that the walk gives the same
    page at any hour of the day; tests/notes/test_resurfacing.py pins the windows' edges."""
    from curricula.models import Entry
    from curricula.services import curriculum_import
    from notes.models import Progress

    alice, bob = world["alice"], world["bob"]
    curriculum_import(actor=None, text=LIST_V1, slug="changing")
    changing = Entry.objects.get(title="Stays").curriculum
    factories.make_enrollment(alice, changing, started_at=timezone.now())
    for title in ("Finished Then Retired", "Stays"):
        notes_services.progress_set(
            actor=alice, entry=Entry.objects.get(title=title), status="done"
        )
    curriculum_import(actor=None, text=LIST_V2, slug="changing")

    now = timezone.now()
    papers = {}
    for days, title in ((9, "Week-old paper"), (30, "Month-old paper"), (90, "Quarter-old paper")):
        entry = factories.make_entry(changing.__class__.objects.get(slug="scaling"), title)
        notes_services.progress_set(actor=alice, entry=entry, status="done")
        Progress.objects.filter(user=alice, resource=entry.resource).update(
            finished_at=now - dt.timedelta(days=days)
        )
        factories.make_note(alice, entry, f"**What I took from it** ({title}): it holds.")
        papers[days] = entry
    factories.make_note(bob, papers[30], "Bob: the month-old paper, shared.", visibility="team")
    factories.make_note(bob, papers[9], "Bob's private week-old note")
    return {**world, "papers": papers}


def test_changes_invitations_and_notes_worth_a_second_look(
    browser, live_server, later_world, shots, mailoutbox
):
    """Items 4, 6 and 10 of issue 14, desktop and phone."""
    from django.core import mail
    from playwright.sync_api import expect

    base = live_server.url
    world = later_world
    shot = shots("issue14-")

    # --- 4: Alice sees what changed in the list since her last visit ------------------------
    context, page = sign_in(browser, base, "alice@example.com")
    changes = page.locator(".list-changes")
    expect(changes).to_contain_text("Changed since your last visit")
    expect(changes).to_contain_text("1 added, 1 retired, 1 relinked")
    expect(changes).to_contain_text("Added: Brand New Paper")
    expect(changes).to_contain_text("Retired: Finished Then Retired")
    expect(changes).to_contain_text("Relinked: Moves")
    expect(changes.locator(".warn")).to_contain_text(
        "You had finished Finished Then Retired; your progress here no longer counts it."
    )
    card = page.locator(
        "section.curriculum-card", has=page.get_by_role("link", name="Changing list")
    )
    # Stays is done of the four active entries left: 25 %, not the 50 % it was before.
    expect(card.locator("progress + strong")).to_have_text("25%")
    shot(page, "changes-home")

    # --- 10: notes worth a second look ---------------------------------------------------------
    look = page.locator("#second-look")
    expect(look.get_by_role("heading", name="Worth a second look")).to_be_visible()
    items = look.locator("li.card")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("Quarter-old paper")
    expect(items.nth(0)).to_contain_text("about three months ago")
    expect(items.nth(1)).to_contain_text("Month-old paper")
    expect(items.nth(2)).to_contain_text("Week-old paper")
    expect(look).to_contain_text("What I took from it (Week-old paper): it holds.")
    expect(look).not_to_contain_text("**")
    expect(look).not_to_contain_text("Bob's private")
    shot(page, "second-look-home")
    # On a phone: the changes, what they do to her progress, and the notes, all readable.
    phone, phone_page = sign_in(browser, base, "alice@example.com", PHONE)
    expect(phone_page.locator(".list-changes .warn")).to_contain_text("no longer counts it")
    expect(phone_page.locator("#second-look li.card")).to_have_count(3)
    shot(phone_page, "changes-home-phone")
    assert no_horizontal_scroll(phone_page), phone_page.evaluate(WIDER_THAN_SCREEN)
    phone.close()
    # "Still true" on the month-old note: Bob's shared note on that paper takes its place.
    # With the keyboard: the card says so in place and takes the focus.
    items.nth(1).get_by_role("button", name=re.compile("Still true")).focus()
    page.keyboard.press("Enter")
    expect(items.nth(1)).to_have_text(
        "“Month-old paper”: still true, noted. It will not come back this time."
    )
    page.wait_for_function("document.activeElement.closest('li.kept') !== null")
    shot(page, "second-look-still-true")
    page.reload()
    expect(look.locator("li.card").nth(1)).to_contain_text("Shared by Bob Brown")
    expect(look).to_contain_text("Bob: the month-old paper, shared.")
    note = Note.objects.get(user=world["alice"], resource=world["papers"][30].resource)
    assert note.version == 1 and note.reaffirmations.count() == 1
    shot(page, "second-look-after")
    # Bob's note is his: no Edit there. "Edit" on mine opens my note's editor.
    expect(
        look.locator("li.card").nth(1).get_by_role("link", name=re.compile("^Edit"))
    ).to_have_count(0)
    look.locator("li.card").nth(0).get_by_role("link", name=re.compile("^Edit")).click()
    expect(page).to_have_url(re.compile(r"/entries/\d+/#my-note$"))
    expect(page.locator("#note-body")).to_have_value(re.compile("Quarter-old paper"))
    shot(page, "second-look-edit")

    # Marking the changes seen clears them.
    page.goto(base + "/")
    page.get_by_role("button", name="Mark as seen").click()
    expect(page.locator(".list-changes")).to_have_count(0)
    context.close()

    # On a phone, after: no changes left, Bob's shared note in the month's place.
    phone, page = sign_in(browser, base, "alice@example.com", PHONE)
    expect(page.locator(".list-changes")).to_have_count(0)
    expect(page.locator("#second-look li.card").nth(1)).to_contain_text("Shared by Bob Brown")
    shot(page, "second-look-home-phone")
    assert no_horizontal_scroll(page), page.evaluate(WIDER_THAN_SCREEN)
    phone.close()

    # --- 6: an admin invites Carol into Research; she signs up and lands on her reading --------
    admin = factories.make_user("root", is_staff=True, is_superuser=True, first_name="Rita")
    assert admin.is_staff
    context, page = sign_in(browser, base, "root@example.com")
    page.goto(base + "/admin/notes/invitation/add/")
    page.fill("#id_email", "Carol@Example.org")
    page.locator("#placement-0 .select2-selection").click()
    page.locator(".select2-search__field").fill("Resea")
    page.locator(".select2-results__option", has_text="Research").click()
    page.select_option("#id_placement-0-role", "member")
    # And a curriculum of her own, on top of the team's.
    page.select_option("#id_placement-0-curricula_from", label="Elsewhere")
    page.locator("#id_placement-0-curricula_add").click()
    shot(page, "invite-admin")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("Invitation emailed to carol@example.org")
    context.close()
    (invite,) = [m for m in mail.outbox if m.to == ["carol@example.org"]]
    assert "Rita has invited you to join Research as a member" in invite.body
    assert "Scaling, due" in invite.body
    assert "Elsewhere, due 12 weeks after you sign up" in invite.body
    link = re.search(r"http://\S+/invitations/\S+/", invite.body).group(0)

    assert link.startswith(base)

    # On a phone first (not sent): the address is filled in, a name is asked for.
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    page.goto(link)
    expect(page.locator("input[name=email]")).to_have_value("carol@example.org")
    expect(page.locator("input[name=first_name]")).to_be_visible()
    shot(page, "invite-signup-phone")
    assert no_horizontal_scroll(page), page.evaluate(WIDER_THAN_SCREEN)
    phone.close()

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(link)
    expect(page.locator("input[name=email]")).to_have_value("carol@example.org")
    page.fill("input[name=first_name]", "Carol")
    page.fill("input[name=last_name]", "Smith")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    shot(page, "invite-signup")
    page.locator("form[action='/accounts/signup/'] button[type=submit]").click()
    # She lands on the curriculum the team assigned, as a member of Research.
    page.wait_for_url(base + "/curricula/scaling/")
    expect(page.locator("h1")).to_contain_text("Scaling")
    expect(page.locator("p.deadline")).to_be_visible()
    shot(page, "invite-landed")
    context.close()
    phone, page = sign_in(browser, base, "carol@example.org", PHONE)
    cards = page.locator("section.curriculum-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Scaling")
    expect(cards.nth(1)).to_contain_text("Elsewhere")
    expect(cards.locator(".badge")).to_have_text(["assigned", "assigned"])
    shot(page, "invite-home-phone")
    phone.close()
    assert all(p.stat().st_size > 10_000 for p in shot.paths)
