"""A note's page, history, versions and restore: the owner; team readers; everyone else 404."""

from __future__ import annotations

import pytest

from notes import services
from notes.access import can_see_note
from notes.services import NoteTarget
from tests import factories
from tests.notes.htmlcheck import assert_inert

pytestmark = pytest.mark.django_db

XSS = "# Title\n<script>alert(1)</script>\n[a](javascript:alert(1))\n<img src=x onerror=alert(1)>"


@pytest.fixture
def note(owner, entries):
    target = NoteTarget.for_entry(entries[0])
    services.note_save(
        actor=owner, target=target, body="first", visibility="private", base_version=0
    )
    note, _ = services.note_save(
        actor=owner, target=target, body=XSS, visibility="private", base_version=1
    )
    return note


def test_owner_reads_the_note_rendered_and_inert(client, owner, note):
    client.force_login(owner)
    response = client.get(f"/notes/{note.pk}/")
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Title</h1>" in html
    assert_inert(html[html.index('class="prose"') :])


def test_private_note_is_404_for_another_member_and_redirects_an_outsider(client, member, note):
    assert client.get(f"/notes/{note.pk}/").status_code == 302
    client.force_login(member)
    for url in (
        f"/notes/{note.pk}/",
        f"/notes/{note.pk}/history/",
        f"/notes/{note.pk}/versions/1/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/notes/{note.pk}/versions/1/restore").status_code == 404
    assert not can_see_note(member, note)


def test_team_note_is_readable_by_a_member_but_its_history_is_not(client, owner, member, note):
    factories.make_team(owner, member)  # "team" notes are read by people sharing a team
    services.note_save(
        actor=owner,
        target=NoteTarget.for_entry(note.entry),
        body="shared",
        visibility="team",
        base_version=2,
    )
    client.force_login(member)
    assert client.get(f"/notes/{note.pk}/").status_code == 200
    assert client.get(f"/notes/{note.pk}/history/").status_code == 404
    note.refresh_from_db()
    assert can_see_note(member, note)


def test_team_note_is_404_outside_the_team(client, owner, outsider, note):
    services.note_save(
        actor=owner,
        target=NoteTarget.for_entry(note.entry),
        body="for my team",
        visibility="team",
        base_version=2,
    )
    factories.make_team(owner)
    client.force_login(outsider)
    assert client.get(f"/notes/{note.pk}/").status_code == 404
    note.refresh_from_db()
    assert not can_see_note(outsider, note)


def test_history_lists_every_version_and_the_diff_shows_changes(client, owner, note):
    client.force_login(owner)
    html = client.get(f"/notes/{note.pk}/history/").content.decode()
    assert "v1" in html and "v2" in html and "current" in html
    diff = client.get(f"/notes/{note.pk}/versions/2/").content.decode()
    assert 'class="diff-del"' in diff and "first" in diff
    assert "&lt;script&gt;" in diff  # the diff shows text, escaped


def test_restore_brings_an_old_version_back(client, owner, note):
    client.force_login(owner)
    response = client.post(f"/notes/{note.pk}/versions/1/restore")
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.body, note.version) == ("first", 3)


def test_bad_ids_and_wrong_methods(client, owner, note):
    client.force_login(owner)
    assert client.get("/notes/999999/").status_code == 404
    assert client.get(f"/notes/{note.pk}/versions/99/").status_code == 404
    assert client.post(f"/notes/{note.pk}/versions/99/restore").status_code == 404
    assert client.get(f"/notes/{note.pk}/versions/1/restore").status_code == 405
    assert client.post(f"/notes/{note.pk}/").status_code == 405
    assert client.post(f"/notes/{note.pk}/history/").status_code == 405


def test_my_notes_lists_mine_filters_by_curriculum_and_exports(client, owner, member, entries):
    other = factories.make_curriculum(slug="other", title="Other")
    other_entry = factories.make_entry(other, "Elsewhere")
    factories.make_note(owner, entries[0], "in mini")
    factories.make_note(owner, other_entry, "in other")
    factories.make_note(member, entries[1], "member's")
    client.force_login(owner)
    html = client.get("/notes/").content.decode()
    assert "in mini" in html and "in other" in html and "member" not in html
    html = client.get("/notes/?curriculum=mini").content.decode()
    assert "in mini" in html and "in other" not in html
    export = client.get("/notes/export.md")
    assert export["Content-Type"].startswith("text/markdown")
    assert "attachment" in export["Content-Disposition"]
    text = export.content.decode()
    assert "## Core paper" in text and "in mini" in text and "in other" in text
    assert "member's" not in text
    assert "in other" not in client.get("/notes/export.md?curriculum=mini").content.decode()
    assert client.get("/notes/export.md?curriculum=nope").status_code == 404
    assert client.post("/notes/").status_code == 405


def test_my_notes_needs_sign_in(client):
    assert client.get("/notes/").status_code == 302
    assert client.get("/notes/export.md").status_code == 302


def test_a_note_shared_on_the_same_paper_from_another_curriculum_shows_on_the_entry(
    client, owner, member
):
    factories.make_team(owner, member)
    paper = factories.make_resource()
    a = factories.make_entry(factories.make_curriculum(slug="a"), resource=paper)
    b = factories.make_entry(factories.make_curriculum(slug="b"), resource=paper)
    factories.make_note(member, a, "from list a", visibility="team")
    client.force_login(owner)
    assert "from list a" in client.get(f"/curricula/b/entries/{b.pk}/").content.decode()


def test_why_read_it_renders_its_markdown_safely(client, owner, entries):
    entry = entries[0]
    entry.why = "**Core** idea: see [the paper](https://example.org/p). <script>x</script>"
    entry.save()
    client.force_login(owner)
    html = client.get(f"/curricula/{entry.curriculum.slug}/entries/{entry.pk}/").content.decode()
    section = html.split("<h2>Why read it</h2>", 1)[1].split("</section>", 1)[0]
    assert "<strong>Core</strong>" in section and '<a href="https://example.org/p"' in section
    assert "<script>" not in section and "**" not in section
