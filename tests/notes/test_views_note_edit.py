"""Writing a note: save, autosave via htmx, preview, conflicts, bad input; entry and summaries."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from notes.models import Note
from tests import factories
from tests.notes.htmlcheck import assert_inert

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def edit(kind, pk):
    return f"/notes/{kind}/{pk}/edit"


def test_plain_save_creates_version_one_and_returns_to_the_entry(client, owner, entries):
    client.force_login(owner)
    response = client.post(
        edit("entry", entries[0].pk), {"body": "# Knob", "visibility": "private", "base_version": 0}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/curricula/mini/entries/{entries[0].pk}/#my-note"
    note = Note.objects.get(user=owner)
    assert (note.body, note.version, note.resource_id) == ("# Knob", 1, entries[0].resource_id)


def test_htmx_autosave_answers_with_the_saved_state_and_new_version(client, owner, entries):
    client.force_login(owner)
    data = {"body": "draft", "visibility": "private", "base_version": 0}
    html = client.post(edit("entry", entries[0].pk), data, **HX).content.decode()
    assert "Saved · version 1" in html
    assert 'id="note-base-version" value="1"' in html


def test_second_tab_gets_a_conflict_with_both_texts_and_nothing_is_overwritten(
    client, owner, entries
):
    client.force_login(owner)
    url = edit("entry", entries[0].pk)
    client.post(url, {"body": "start", "visibility": "private", "base_version": 0}, **HX)
    client.post(url, {"body": "tab A text", "visibility": "private", "base_version": 1}, **HX)
    response = client.post(
        url, {"body": "tab B text", "visibility": "private", "base_version": 1}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed in another tab" in html and "tab A text" in html
    assert 'id="note-base-version" value="1"' in html  # still stale: autosave keeps refusing
    assert Note.objects.get(user=owner).body == "tab A text"
    # Without JavaScript: the whole page, my text still in the editor.
    page = client.post(url, {"body": "tab B text", "visibility": "private", "base_version": 1})
    assert page.status_code == 409
    text = page.content.decode()
    assert ">tab B text</textarea>" in text and ">tab A text</textarea>" in text
    # Deliberately keeping mine makes it the newest version; tab A's stays in history.
    client.post(
        url,
        {"body": "tab B text", "visibility": "private", "base_version": 1, "overwrite_version": 2},
    )
    note = Note.objects.get(user=owner)
    assert (note.body, note.version) == ("tab B text", 3)
    assert note.versions.get(number=2).body == "tab A text"


def test_preview_without_javascript_renders_and_saves_nothing(client, owner, entries):
    client.force_login(owner)
    response = client.post(
        edit("entry", entries[0].pk),
        {
            "body": "**bold** <script>x</script>",
            "visibility": "private",
            "base_version": 0,
            "action": "preview",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<strong>bold</strong>" in html
    assert not Note.objects.exists()
    preview = html[html.index('id="note-preview"') :]
    assert_inert(preview)


def test_htmx_preview_endpoint(client, owner):
    client.force_login(owner)
    response = client.post("/notes/preview", {"body": "[x](javascript:alert(1)) *hi*"}, **HX)
    assert response.status_code == 200 and "<em>hi</em>" in response.content.decode()
    assert_inert(response.content.decode())
    assert client.get("/notes/preview").status_code == 405


def test_bad_input_is_422_with_a_message(client, owner, entries):
    client.force_login(owner)
    url = edit("entry", entries[0].pk)
    response = client.post(url, {"body": "x", "visibility": "everyone", "base_version": 0})
    assert response.status_code == 422 and "Who can read it" in response.content.decode()
    response = client.post(url, {"body": "x", "visibility": "team", "base_version": "abc"}, **HX)
    assert response.status_code == 422 and "Not saved" in response.content.decode()
    assert not Note.objects.exists()


def test_summary_of_a_tier_and_of_a_topic(client, owner, entries):
    client.force_login(owner)
    tier, topic = entries[0].tier, entries[0].topic
    page = client.get(edit("tier", tier.pk))
    # A summary starts from the summary template, not the list's per-paper one.
    html = page.content.decode()
    assert page.status_code == 200 and "## When it fails" in html
    assert "What knob does this give me?" not in html
    client.post(
        edit("tier", tier.pk), {"body": "tier sum", "visibility": "team", "base_version": 0}
    )
    client.post(
        edit("topic", topic.pk), {"body": "topic sum", "visibility": "private", "base_version": 0}
    )
    kinds = dict(Note.objects.filter(user=owner).values_list("kind", "body"))
    assert kinds == {"tier": "tier sum", "topic": "topic sum"}


def test_unknown_kind_or_id_is_404_and_wrong_method_405(client, owner, entries):
    client.force_login(owner)
    assert client.get(edit("planet", 1)).status_code == 404
    assert client.get(edit("tier", 999999)).status_code == 404
    assert client.post(edit("entry", 999999), {"body": "x"}).status_code == 404
    assert client.put(edit("entry", entries[0].pk)).status_code == 405


def test_outsider_cannot_save(client, entries):
    response = client.post(
        edit("entry", entries[0].pk), {"body": "x", "visibility": "private", "base_version": 0}
    )
    assert response.status_code == 302 and not Note.objects.exists()


def test_members_notes_are_separate(client, owner, member, entries):
    url = edit("entry", entries[0].pk)
    client.force_login(owner)
    client.post(url, {"body": "owner", "visibility": "private", "base_version": 0})
    client.force_login(member)
    # The member's first save is version 0 of *their* note: no conflict with the owner's.
    response = client.post(url, {"body": "member", "visibility": "private", "base_version": 0})
    assert response.status_code == 302
    assert sorted(Note.objects.values_list("body", flat=True)) == ["member", "owner"]


def test_save_requires_csrf(owner, entries):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(owner)
    response = csrf_client.post(
        edit("entry", entries[0].pk),
        {"body": "x", "visibility": "private", "base_version": 0},
        **HX,
    )
    assert response.status_code == 403 and not Note.objects.exists()


def test_notes_on_retired_entries_stay_editable(client, owner, entries):
    from curricula.models import Revision

    revision = Revision.objects.create(
        curriculum=entries[0].curriculum, number=2, sha256="x", source_text=""
    )
    entries[0].retired_in = revision
    entries[0].save()
    client.force_login(owner)
    response = client.post(
        edit("entry", entries[0].pk), {"body": "kept", "visibility": "private", "base_version": 0}
    )
    assert response.status_code == 302
    assert Note.objects.get(user=owner).body == "kept"
    page = client.get(f"/curricula/mini/entries/{entries[0].pk}/").content.decode()
    assert "This entry was retired" in page and ">kept</textarea>" in page


def _editor(html: str) -> str:
    """The note form, without its masked CSRF token and its preview pane."""
    start = html.index('<form id="note-form"')
    form = html[start : html.index("</form>", start)]
    form = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", form)
    return form[: form.index('<div id="note-preview"')]


def test_the_entry_page_and_the_note_edit_page_show_one_editor(client, owner, entries):
    """One macro (jinja2/notes/editor.html): the editor on the entry page and the one a
    Preview without JavaScript comes back to are the same form."""
    note = factories.make_note(owner, entries[0], "# Knob <it's>")
    client.force_login(owner)
    entry_page = client.get(f"/curricula/mini/entries/{entries[0].pk}/").content.decode()
    data = {"body": "# Knob <it's>", "visibility": "private", "base_version": note.version}
    data.update(base_saves=note.saves, action="preview")
    edit_page = client.post(edit("entry", entries[0].pk), data).content.decode()
    assert _editor(entry_page) == _editor(edit_page)
    assert "Knob &lt;it&#39;s&gt;</textarea>" in _editor(entry_page)
    assert '<h3 class="visually-hidden">Preview</h3>' in edit_page
