"""'Next' follows the completion rule: under "core + practitioner + summary" a tier asks for one
core and one practitioner source and a summary, so after a core source the next is the
practitioner one (not more core), then the summary, then the next tier. The tier-summary
editor starts from a summary template and shows my notes from that tier beside it."""

from __future__ import annotations

import re

import pytest

from notes import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(db):
    c = factories.make_curriculum(
        slug="training-roles",
        title="Training roles",
        completion_rule="core_practitioner_summary",
        reading_order="by_tier",
        note_template="Per-paper: what did this paper show?",
    )
    t1 = factories.make_tier(c, 1)
    t2 = factories.make_tier(c, 2)
    made = {}
    for tier, names in (
        (t1, ["core A", "core B", "core C", "prac A", "prac B"]),
        (t2, ["core D", "prac C"]),
    ):
        for i, name in enumerate(names):
            role = "core" if name.startswith("core") else "practitioner"
            made[name] = factories.make_entry(
                c, name.title(), tier=tier, role=role, position=10 * tier.number + i
            )
    return c, t1, t2, made


def next_on_home(client) -> list[str]:
    html = client.get("/").content.decode()
    card = html.split("<h3>Next</h3>", 1)[1].split("</ol>", 1)[0] if "<h3>Next</h3>" in html else ""
    return re.findall(r'/entries/\d+/">([^<]+)</a>', card)


def test_next_asks_for_what_the_tier_still_lacks_then_the_next_tier(client, owner, roles):
    c, t1, _t2, e = roles
    factories.make_enrollment(owner, c)
    client.force_login(owner)
    assert next_on_home(client) == ["Core A", "Core B", "Core C"]
    services.progress_set(actor=owner, entry=e["core A"], status="done")
    # The core step is done: the practitioner sources, then tier 2 — not core B and C.
    assert next_on_home(client) == ["Prac A", "Prac B", "Core D"]
    services.progress_set(actor=owner, entry=e["prac A"], status="done")
    html = client.get("/").content.decode()
    assert "write your summary of Tier 1" in html
    assert next_on_home(client) == ["Core D", "Prac C"]
    services.note_save(
        actor=owner,
        target=services.NoteTarget.for_tier(t1),
        body="knob",
        visibility="private",
        base_version=0,
    )
    assert "write your summary of Tier 1" not in client.get("/").content.decode()


def test_counting_rules_still_list_every_entry_left(client, owner, course_all):
    factories.make_enrollment(owner, course_all)
    client.force_login(owner)
    first = course_all.entries.order_by("position").first()
    services.progress_set(actor=owner, entry=first, status="done")
    assert next_on_home(client) == ["Two", "Three", "Four"]


@pytest.fixture
def course_all(db):
    c = factories.make_curriculum(completion_rule="all")
    tier = factories.make_tier(c, 1)
    for i, name in enumerate(["One", "Two", "Three", "Four"]):
        factories.make_entry(c, name, tier=tier, role="core", position=i)
    return c


def test_tier_summary_starts_from_the_summary_template_beside_my_tier_notes(
    client, owner, member, roles
):
    _c, t1, _t2, e = roles
    factories.make_note(owner, e["core A"], "**Scaling** is smooth")
    factories.make_note(owner, e["core D"], "a tier 2 thought")
    factories.make_team(owner, member)
    factories.make_note(member, e["prac A"], "member's shared note", visibility="team")
    client.force_login(owner)
    html = client.get(f"/notes/tier/{t1.pk}/edit").content.decode()
    editor = html.split('<textarea id="note-body"', 1)[1].split("</textarea>", 1)[0]
    assert "## What knob this gives me" in editor and "Per-paper" not in editor
    beside = html.split('<aside class="beside"', 1)[1].split("</aside>", 1)[0]
    assert "<strong>Scaling</strong> is smooth" in beside
    assert "tier 2 thought" not in beside and "member's shared note" not in beside


def test_the_managers_page_shows_the_same_next(client, owner, roles):
    c, _t1, _t2, e = roles
    boss = factories.make_user("boss")
    team = factories.make_team(owner, managers=[boss], slug="lab")
    factories.make_enrollment(owner, c)
    import datetime as dt

    from django.utils import timezone

    from teams import services as team_services

    today = timezone.localdate()
    team_services.assignment_create(
        actor=boss, team=team, curriculum=c, start_date=today, due_date=today + dt.timedelta(days=9)
    )
    services.progress_set(actor=owner, entry=e["core A"], status="done")
    client.force_login(boss)
    html = client.get(f"/teams/lab/people/{owner.pk}/").content.decode()
    section = html.split("What is next", 1)[1].split("</ol>", 1)[0]
    assert re.findall(r'/entries/\d+/">([^<]+)</a>', section) == [
        "Prac A",
        "Prac B",
        "Core D",
        "Prac C",
    ]
