"""A manager in a real browser: sign in, see the team, open a member, download the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from curricula.models import Curriculum
from notes import services as notes_services
from notes.models import Activity
from teams import services
from teams.models import Membership, Team
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
NAMES = ["Alice Adams", "Bob Brown", "Chen Wei", "Dara Okafor", "Eva Novak", "Femi Ade"]


@pytest.fixture
def world(transactional_db):
    """The bundled curricula; a team of six with two of them assigned and some reading done."""
    try:
        call_command("load_bundled_curricula", verbosity=0)
        elicit = Curriculum.objects.get(slug="elicit")
        roles = Curriculum.objects.get(slug="training-roles")
    except Exception:  # pragma: no cover - only if the importer is broken
        elicit = factories.make_curriculum_with_entries(60, slug="elicit", title="Elicit")
        roles = factories.make_curriculum_with_entries(
            60, slug="training-roles", title="Training roles"
        )
    boss = factories.make_user("max", password=PASSWORD, first_name="Max", last_name="Manager")
    team = Team.objects.create(name="Research onboarding", slug="research")
    Membership.objects.create(team=team, user=boss, role="manager")
    people = []
    for name in NAMES:
        first, last = name.split()
        person = factories.make_user(first.lower(), first_name=first, last_name=last)
        Membership.objects.create(team=team, user=person)
        people.append(person)
    today = timezone.localdate()
    services.assignment_create(
        actor=boss,
        team=team,
        curriculum=elicit,
        start_date=today - dt.timedelta(days=35),
        due_date=today + dt.timedelta(days=25),
    )
    services.assignment_create(
        actor=boss,
        team=team,
        curriculum=roles,
        start_date=today - dt.timedelta(days=70),
        due_date=today - dt.timedelta(days=3),
    )
    rng = random.Random(3)
    for i, person in enumerate(people):
        for curriculum in (elicit, roles):
            entries = list(curriculum.entries.active().order_by("position"))
            share = [0.7, 0.35, 0.05, 0.55, 0.0, 1.0][i]
            for e in entries[: int(len(entries) * share)]:
                notes_services.progress_set(actor=person, entry=e, status="done")
            if i == 0:
                factories.make_note(person, entries[0], "**Key idea**: scale.", visibility="team")
                factories.make_note(person, entries[1], "Private thoughts.")
        # Spread the reading over the past weeks so the weekly chart has a shape.
        for activity in Activity.objects.filter(user=person, verb="status"):
            days = rng.randint(0, 34) if i != 2 else 30
            when = timezone.now() - dt.timedelta(days=days)
            Activity.objects.filter(pk=activity.pk).update(created_at=when)
            if activity.resource_id:
                person.progress.filter(resource_id=activity.resource_id).update(
                    finished_at=when, updated_at=when
                )
    return team, people


def sign_in(page, base_url):
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", "max@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(base_url + "/")


def test_manager_sees_the_team_opens_a_member_and_downloads_csv(
    browser, live_server, world, screenshots
):
    from playwright.sync_api import expect

    _team, people = world
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server.url)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_role("link", name="Research onboarding").click()
    expect(page.get_by_role("heading", name="Research onboarding")).to_be_visible()
    rows = page.locator("table.dashboard tbody tr")
    expect(rows).to_have_count(len(people) * 2)
    expect(page.locator("table.dashboard")).to_contain_text("Overdue")
    expect(page.locator("svg.chart").first).to_be_visible()
    page.screenshot(path=str(screenshots / "manager-dashboard.png"), full_page=True)

    # Sorting and filtering are plain links and a GET form: they work without JavaScript.
    page.get_by_role("link", name="Progress").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Progress")
    page.select_option("select[name=state]", "overdue")
    page.get_by_role("button", name="Apply").click()
    expect(rows.first).to_contain_text("Overdue")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    assert table and all(r["state"] == "Overdue" for r in table)

    page.goto(f"{live_server.url}/teams/research/")
    page.get_by_role("link", name="Alice Adams").first.click()
    expect(page.get_by_role("heading", name="Alice Adams", level=1)).to_be_visible()
    expect(page.get_by_text("Key idea").first).to_be_visible()
    expect(page.get_by_text("Private thoughts")).to_have_count(0)
    expect(page.get_by_role("heading", name="What is next").first).to_be_visible()
    page.screenshot(path=str(screenshots / "manager-member.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    detail = Path(download_info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(detail)))
    assert any(r["status"] == "done" for r in rows)
    context.close()
