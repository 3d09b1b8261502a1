"""The dashboard's rows as a person reads them, character for character: names, titles and
labels escaped, dates in the site's time zone, unlocalised numbers (the markup the Django
template partial gave, kept when the rows moved to Jinja2)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from notes import services as notes_services
from teams import services
from tests import factories

pytestmark = pytest.mark.django_db

# 23:30 UTC is half past midnight the next day in Berlin: the dates shown are Berlin's.
NOW = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)


def tbody(html: str) -> str:
    """The table's rows, with the two spellings of an escaped quote made one (Django writes
    &quot; and &#x27;, Jinja2 &#34; and &#39;: a browser shows the same)."""
    body = html[html.index("<tbody>") + len("<tbody>") : html.index("</tbody>")]
    return body.replace("&#34;", "&quot;").replace("&#39;", "&#x27;").strip()


def test_rows_show_escaped_text_and_local_dates(client, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    with time_machine.travel(NOW, tick=False):
        manager = factories.make_user("boss")
        ann = factories.make_user("ann", first_name='Ann <b>&"', last_name="O'Hara")
        bob = factories.make_user("bob")
        team = factories.make_team(ann, bob, managers=[manager], name="Research", slug="research")
        course = factories.make_curriculum(slug="qa", title="Q&A <course>", completion_rule="all")
        t1 = factories.make_tier(course, 1, label="T<1>", title="Basics")
        factories.make_tier(course, 2, title="More")
        first = factories.make_entry(course, "First", tier=t1, role="core", position=1)
        factories.make_entry(course, "Second", tier=t1, role="core", position=2)
        today = dt.date(2026, 3, 11)
        services.assignment_create(
            actor=manager,
            team=team,
            curriculum=course,
            start_date=today - dt.timedelta(days=9),
            due_date=today + dt.timedelta(days=1000),
        )
        notes_services.progress_set(actor=ann, entry=first, status="done")
        client.force_login(manager)
        html = client.get("/teams/research/").content.decode()
    people = "/teams/research/people/"
    assert tbody(html) == (
        f'<tr class="row-behind"><th scope="row"><a href="{people}{bob.pk}/">bob</a></th>'
        "<td>Q&amp;A &lt;course&gt;</td>"
        '<td><span class="bar" title="0 of 2; expected 1%"><span style="width: 0%"></span>'
        '<i style="left: 1%"></i></span> 0%</td><td>T&lt;1&gt;</td>'
        '<td><span class="muted">never</span></td><td>0</td>'
        '<td><time datetime="2028-12-05">5 Dec 2028</time></td>'
        '<td><span class="state state-behind">Behind</span></td></tr>\n'
        f'<tr class="row-on_track"><th scope="row"><a href="{people}{ann.pk}/">'
        "Ann &lt;b&gt;&amp;&quot; O&#x27;Hara</a></th><td>Q&amp;A &lt;course&gt;</td>"
        '<td><span class="bar" title="1 of 2; expected 1%"><span style="width: 50%"></span>'
        '<i style="left: 1%"></i></span> 50%</td><td>T&lt;1&gt;</td>'
        '<td><time datetime="2026-03-11T00:30:00+01:00">11 Mar</time></td><td>0</td>'
        '<td><time datetime="2028-12-05">5 Dec 2028</time></td>'
        '<td><span class="state state-on_track">On track</span></td></tr>'
    )
