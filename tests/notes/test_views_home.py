"""Home: my curricula with progress, what is next and new, my notes, other curricula."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notes import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_signed_out_home_invites_to_sign_in(client, curriculum):
    html = client.get("/").content.decode()
    assert "Sign in" in html and "Mini" in html and "My curricula" not in html


def test_home_shows_progress_next_and_others(client, owner, curriculum, entries):
    other = factories.make_curriculum(title="Something else")
    factories.make_enrollment(owner, curriculum)
    services.progress_set(actor=owner, entry=entries[0], status="done")
    client.force_login(owner)
    html = client.get("/").content.decode()
    mine = html[: html.index("Other curricula")]
    assert "Mini" in mine and "33%" in mine  # 1 of 3 steps: core read; practitioner, summary left
    assert "Practitioner post" in mine  # next
    assert "Core paper" not in mine  # done, so not next
    assert "Optional talk" not in mine  # optional is never "next"
    assert other.title in html[html.index("Other curricula") :]


def test_home_lists_what_is_new_since_i_started(client, owner, curriculum, entries):
    factories.make_enrollment(owner, curriculum, started_at=timezone.now() - dt.timedelta(days=3))
    curriculum.entries.filter(pk=entries[1].pk).update(added_on=dt.date.today())
    client.force_login(owner)
    html = client.get("/").content.decode()
    new = html[html.index("New since you started") :]
    assert "(1)" in new[:80] and "Practitioner post" in new


def test_home_reads_no_new_entries_when_nothing_can_be_new(client, owner, curriculum, entries):
    """No revision since I started and no entry marked added after that day: the query that
    picks new entries (it reads every entry of the list) is not sent."""
    factories.make_enrollment(owner, curriculum, started_at=timezone.now() - dt.timedelta(days=3))
    curriculum.entries.filter(pk=entries[1].pk).update(added_on=dt.date.today() - dt.timedelta(4))
    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert "Mini" in html and "New since you started" not in html
    picks_new = [q for q in queries if '"introduced_in_id" = ' in q["sql"]]
    assert picks_new == []


def test_home_shows_my_recent_notes_not_others(client, owner, member, entries):
    factories.make_note(owner, entries[0], "mine")
    factories.make_note(member, entries[1], "theirs", visibility="team")
    client.force_login(owner)
    html = client.get("/").content.decode()
    recent = html[html.index("My recent notes") :]
    assert "Core paper" in recent and "Practitioner post" not in recent


def test_home_wrong_method(client, owner):
    client.force_login(owner)
    assert client.post("/").status_code == 405


def test_home_body_links_dates_and_escaping(client, owner, curriculum, entries):
    """The body is Jinja2 (notes/home_rendering.py): every link is the one reverse() gives,
    dates are in the site's format, titles are escaped and descriptions rendered Markdown."""
    import re

    from django.urls import reverse

    from notes.models import Note

    started = timezone.now() - dt.timedelta(days=3)
    factories.make_enrollment(owner, curriculum, started_at=started)
    curriculum.entries.filter(pk=entries[1].pk).update(added_on=dt.date.today())
    other = factories.make_curriculum(
        slug="x918273640", title="<script>x</script> list", description="**Bold** " + "a" * 300
    )
    note = factories.make_note(owner, entries[0], "mine")
    summary = Note.objects.create(
        user=owner, kind="tier", tier=entries[0].tier, curriculum=curriculum, body="s",
        updated_at=timezone.now(),
    )  # fmt: skip
    client.force_login(owner)
    html = client.get("/").content.decode()
    body = html[html.index("<h1>My curricula</h1>") :]
    links = set(re.findall(r'(?:href|action)="([^"#]+)', body))
    assert links == {
        reverse("curricula:detail", args=[curriculum.slug]),
        reverse("curricula:entry", args=[curriculum.slug, entries[0].pk]),  # next
        reverse("curricula:entry", args=[curriculum.slug, entries[1].pk]),  # next and new
        reverse("notes:detail", args=[note.pk]),
        reverse("notes:detail", args=[summary.pk]),
        reverse("notes:list"),
        reverse("curricula:detail", args=[other.slug]),
        reverse("curricula:follow", args=[other.slug]),
    }
    assert f"Since {started:%-d %b %Y}" in body
    assert "&lt;script&gt;x&lt;/script&gt; list" in body and "<script>x" not in body
    assert "<strong>Bold</strong>" in body and "a" * 200 not in body and "…" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert "Summary: Tier 1 — Basics" in body
