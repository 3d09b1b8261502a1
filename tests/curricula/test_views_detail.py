"""The curriculum page: order, filters, badges, per-tier progress; only for signed-in people.

The page holds the outline and the entries of one tier (the one I am on, or the one in the
URL); the others load when opened, from /curricula/<slug>/tiers/<tier>/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from curricula.models import Resource
from notes import services
from notes.services import NoteTarget
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def elicit(db):
    """Two topics × two tiers, the second tier of each topic first in the file."""
    c = factories.make_curriculum(slug="elicit", title="Elicit", reading_order="by_tier")
    t1 = factories.make_tier(c, 1)
    t2 = factories.make_tier(c, 2)
    t4 = factories.make_tier(c, 4, label="Tier 4+", optional=True)
    a = factories.make_topic(c, "Attention", position=1)
    b = factories.make_topic(c, "Bandits", position=2)
    factories.make_entry(c, "A-two", tier=t2, topic=a, role="core", position=1)
    factories.make_entry(c, "A-one", tier=t1, topic=a, role="core", position=2)
    factories.make_entry(c, "B-two", tier=t2, topic=b, role="core", position=3)
    factories.make_entry(c, "B-one", tier=t1, topic=b, role="core", position=4)
    factories.make_entry(c, "A-four", tier=t4, topic=a, role="optional", position=5)
    return c


def url(c, query=""):
    return f"/curricula/{c.slug}/{query}"


def tier_url(c, number, query=""):
    return url(c, f"tiers/{c.tiers.get(number=number).pk}/{query}")


def test_outsider_is_sent_to_sign_in(client, elicit):
    response = client.get(url(elicit))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_member_sees_tier_1_of_every_topic_before_tier_2(client, owner, elicit):
    client.force_login(owner)
    html = client.get(url(elicit)).content.decode()
    positions = [html.index(t) for t in ("A-one", "B-one", "Tier 2", "Tier 4+")]
    assert positions == sorted(positions)
    assert "A-two" not in html and "A-four" not in html  # other tiers load when opened
    html = client.get(tier_url(elicit, 2)).content.decode()
    assert html.index("A-two") < html.index("B-two") and "A-one" not in html


def test_the_tier_i_am_on_is_the_one_shown(client, owner, elicit):
    client.force_login(owner)
    for title in ("A-one", "B-one"):
        services.progress_set(actor=owner, entry=elicit.entries.get(title=title), status="done")
    html = client.get(url(elicit)).content.decode()
    assert "A-two" in html and "A-one" not in html


def test_other_tiers_load_when_opened_and_work_without_javascript(client, owner, elicit):
    client.force_login(owner)
    tier2 = elicit.tiers.get(number=2).pk
    html = client.get(url(elicit)).content.decode()
    link = f"/curricula/elicit/tiers/{tier2}/"
    assert f'hx-get="{link}" hx-trigger="toggle once"' in html
    assert f'href="{link}#tier-{tier2}"' in html  # without JavaScript: a page of its own
    page = client.get(link).content.decode()
    assert "<html" in page and "A-two" in page and "Tier 1" in page
    fragment = client.get(link, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "A-two" in fragment and "A-one" not in fragment


def test_an_unknown_tier_in_the_url_shows_the_one_i_am_on(client, owner, elicit):
    client.force_login(owner)
    html = client.get(url(elicit, "tiers/99999/")).content.decode()
    assert "A-one" in html


def test_a_long_tier_comes_a_page_at_a_time(client, owner, elicit):
    from notes.outline import PAGE

    tier1 = elicit.tiers.get(number=1)
    for n in range(PAGE + 5):
        factories.make_entry(elicit, f"Long {n:03d}", tier=tier1, role="core", position=100 + n)
    client.force_login(owner)
    html = client.get(url(elicit)).content.decode()
    assert html.count('class="entry ') == PAGE
    more = f"/curricula/elicit/tiers/{tier1.pk}/?from={PAGE}"
    assert f'hx-get="{more}"' in html
    rest = client.get(more, HTTP_HX_REQUEST="true").content.decode()
    assert (
        rest.count('class="entry ') == 7 and f"Long {PAGE + 4:03d}" in rest and "A-one" not in rest
    )


def test_optional_tiers_are_marked_and_closed(client, owner, elicit):
    client.force_login(owner)
    html = client.get(url(elicit)).content.decode()
    marker = f'id="tier-{elicit.tiers.get(number=4).pk}">'
    section = html[html.index(marker) + len(marker) :]
    assert section.lstrip().startswith('<h2 class="tier-title">Tier 4+')
    assert '<span class="badge">optional</span>' in section
    assert section.index("<details") < section.index("</section>")
    assert '<details class="tier-entries" open' not in section[: section.index("</section>")]
    assert "A-four" in client.get(tier_url(elicit, 4)).content.decode()


def test_links_go_out_without_referrer(client, owner, elicit):
    client.force_login(owner)
    html = client.get(url(elicit)).content.decode()
    first = elicit.entries.get(title="A-one").resource.url
    assert f'href="{first}" rel="noopener noreferrer"' in html


def test_only_what_remains_hides_done_entries(client, owner, elicit):
    client.force_login(owner)
    services.progress_set(actor=owner, entry=elicit.entries.get(title="A-one"), status="done")
    html = client.get(url(elicit, "?remaining=on")).content.decode()
    assert "A-one" not in html and "B-one" in html


def test_hide_optional_and_role_filters(client, owner, elicit):
    client.force_login(owner)
    assert "A-four" not in client.get(tier_url(elicit, 4, "?hide_optional=on")).content.decode()
    html = client.get(tier_url(elicit, 4, "?role=optional")).content.decode()
    assert "A-four" in html and "A-one" not in html
    html = client.get(url(elicit, "?role=optional")).content.decode()
    assert "A-one" not in html and "Nothing to show here" in html
    # Opening another tier keeps the filters.
    assert "?role=optional#tier-" in html


def test_the_role_filter_shows_the_role_chosen(client, owner, elicit):
    """The role select (written out in the template, as Django's widget wrote it) selects what
    the address asks for, "Any role" when it asks for none, and nothing for a role that does
    not exist (the browser shows the first option, "Any role")."""
    client.force_login(owner)
    for query, chosen in (("", ""), ("?role=core", "core"), ("?role=wizard", None)):
        html = client.get(url(elicit, query)).content.decode()
        select = html.split('<select name="role" id="id_role">', 1)[1].split("</select>", 1)[0]
        assert select.count(" selected") == (chosen is not None), query
        if chosen is not None:
            assert f'<option value="{chosen}" selected>' in select, query
    assert '<label for="id_role">Role</label>' in html


def test_an_unknown_filter_is_a_clear_422_showing_everything(client, owner, elicit):
    client.force_login(owner)
    response = client.get(url(elicit, "?role=wizard"))
    assert response.status_code == 422
    assert "not one this page knows" in response.content.decode()
    assert "A-one" in response.content.decode()


def test_unknown_curriculum_is_404(client, owner):
    client.force_login(owner)
    assert client.get("/curricula/nope/").status_code == 404


def test_wrong_method_is_405(client, owner, elicit):
    client.force_login(owner)
    assert client.post(url(elicit)).status_code == 405


def test_badges_show_new_broken_moved_and_wrong_paper(client, owner, elicit):
    client.force_login(owner)
    entries = {e.title: e for e in elicit.entries.select_related("resource")}
    Resource.objects.filter(pk=entries["A-one"].resource_id).update(health="broken")
    Resource.objects.filter(pk=entries["B-one"].resource_id).update(health="moved")
    Resource.objects.filter(pk=entries["A-two"].resource_id).update(verification="mismatch")
    elicit.entries.filter(title="B-two").update(added_on=dt.date(2024, 4, 1))
    html = (
        client.get(url(elicit)).content.decode() + client.get(tier_url(elicit, 2)).content.decode()
    )
    for text in ("link broken", "link moved", "wrong paper?", "✨ new"):
        assert text in html


def test_per_tier_progress_follows_the_rule(client, owner, elicit):
    elicit.completion_rule = "all_core"
    elicit.save()
    client.force_login(owner)
    services.progress_set(actor=owner, entry=elicit.entries.get(title="A-one"), status="done")
    html = client.get(url(elicit)).content.decode()
    assert "1 of 2 read" in html and "Read every core entry." in html


def test_training_roles_rule_asks_for_a_summary(client, owner, curriculum_cps):
    client.force_login(owner)
    c, entries = curriculum_cps
    services.progress_set(actor=owner, entry=entries[0], status="done")
    services.progress_set(actor=owner, entry=entries[1], status="done")
    html = client.get(url(c)).content.decode()
    assert "○ a summary written" in html and "Tier complete" not in html
    services.note_save(
        actor=owner,
        target=NoteTarget.for_tier(entries[0].tier),
        body="Knob: temperature",
        visibility="private",
        base_version=0,
    )
    html = client.get(url(c)).content.decode()
    assert "✓ a summary written" in html and "Tier complete" in html


def test_my_note_marker_and_new_since_started(client, owner, member, elicit):
    client.force_login(owner)
    entry = elicit.entries.get(title="A-one")
    factories.make_enrollment(owner, elicit, started_at=timezone.now() - dt.timedelta(days=30))
    elicit.entries.filter(title="B-one").update(added_on=dt.date.today())
    factories.make_note(owner, entry, "mine")
    factories.make_note(member, elicit.entries.get(title="B-two"), "theirs")
    html = client.get(url(elicit)).content.decode()
    assert html.count("(my note ✓)") == 1
    assert "new since you started" in html


@pytest.fixture
def curriculum_cps(db):
    c = factories.make_curriculum(slug="roles", completion_rule="core_practitioner_summary")
    tier = factories.make_tier(c, 1)
    core = factories.make_entry(c, "Core", tier=tier, role="core")
    prac = factories.make_entry(c, "Practice", tier=tier, role="practitioner")
    return c, [core, prac]


def test_rows_escape_what_curators_typed(client, owner, elicit):
    tier1 = elicit.tiers.get(number=1)
    factories.make_entry(
        elicit, '<script>alert("t")</script>', tier=tier1, role="core", why="<b>why</b>"
    )
    client.force_login(owner)
    html = client.get(url(elicit)).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>why</b>" not in html and "&lt;b&gt;why&lt;/b&gt;" in html


def test_description_and_guidance_are_rendered_and_follow_an_edit(client, owner, elicit):
    """They are kept rendered per text (notes.markdown): an edit in the admin shows at once."""
    elicit.description = "Read **slowly**."
    elicit.guidance = "## How\n\nTier 1 first. <script>alert(1)</script>"
    elicit.save()
    client.force_login(owner)
    html = client.get(url(elicit)).content.decode()
    assert "Read <strong>slowly</strong>." in html and "Tier 1 first." in html
    assert "<script>alert(1)" not in html
    elicit.refresh_from_db()
    elicit.guidance = "Tier 2 first."
    elicit.save(update_fields=["guidance"])
    html = client.get(url(elicit)).content.decode()
    assert "Tier 2 first." in html and "Tier 1 first." not in html


def test_following_since_is_the_date_in_the_sites_time_zone(client, owner, elicit, settings):
    """The body is Jinja2; its dates are formatted as Django's `date` filter would, in the
    site's time zone, not in UTC."""
    settings.TIME_ZONE = "Pacific/Auckland"
    started = dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.UTC)  # 7 Dec, 09:00 in Auckland
    factories.make_enrollment(owner, elicit, started_at=started)
    client.force_login(owner)
    html = client.get(url(elicit)).content.decode()
    assert "Following since 7 Dec 2026" in html


def test_the_curriculum_read_in_sql_equals_the_orm_read(elicit):
    from curricula.models import Curriculum
    from notes import selectors

    elicit.description, elicit.guidance = "A *list*.", "Read it."
    elicit.save()
    mine = selectors.curriculum_by_slug("elicit")
    theirs = Curriculum.objects.get(slug="elicit")
    for field in Curriculum._meta.concrete_fields:
        assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
    assert selectors.curriculum_by_slug("nope") is None
    assert selectors.curriculum_by_slug("elicit' OR '1'='1") is None
