"""The entry page: metadata, my note, what my team shared; follow and unfollow."""

# The members' fixtures live in tests/notes/conftest.py; importing them shadows their names.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from curricula.models import Resource, Revision
from notes.models import Enrollment
from notes.services import progress_set
from tests import factories
from tests.notes.conftest import curriculum, entries  # noqa: F401  (shared fixtures)
from tests.notes.htmlcheck import assert_inert

pytestmark = pytest.mark.django_db


def page(entry):
    return f"/curricula/{entry.curriculum.slug}/entries/{entry.pk}/"


def test_outsider_is_sent_to_sign_in(client, entries):
    assert client.get(page(entries[0])).status_code == 302


def test_entry_shows_metadata_and_abstract_once_fetched(client, owner, entries):
    Resource.objects.filter(pk=entries[0].resource_id).update(
        title="Attention Is All You Need",
        authors=["Ashish Vaswani", "Noam Shazeer"],
        abstract="The dominant sequence transduction models…",
    )
    client.force_login(owner)
    html = client.get(page(entries[0])).content.decode()
    assert "Ashish Vaswani, Noam Shazeer" in html
    assert "The dominant sequence transduction models" in html


def test_a_new_note_starts_from_the_curriculum_template(client, owner, entries):
    client.force_login(owner)
    html = client.get(page(entries[0])).content.decode()
    assert "What knob does this give me?" in html and "Not saved yet" in html


def test_my_note_is_shown_and_not_someone_elses_private_one(client, owner, member, entries):
    factories.make_note(member, entries[0], "member's private thoughts")
    factories.make_note(owner, entries[0], "owner's note")
    client.force_login(owner)
    html = client.get(page(entries[0])).content.decode()
    assert "owner&#39;s note" in html  # in the editor, escaped as Jinja2 spells it
    assert "private thoughts" not in html


def test_team_shared_notes_are_shown_rendered_and_inert(client, owner, member, entries):
    factories.make_team(owner, member)
    factories.make_note(
        member,
        entries[0],
        "**shared** <script>alert(1)</script> [x](javascript:alert(1))"
        " <img src=x onerror=alert(1)>",
        visibility="team",
    )
    client.force_login(owner)
    html = client.get(page(entries[0])).content.decode()
    shared = html[html.index('id="shared-h"') :]
    assert "<strong>shared</strong>" in shared
    assert_inert(shared)


def test_entry_of_another_curriculum_is_404(client, owner, entries):
    other = factories.make_curriculum()
    client.force_login(owner)
    assert client.get(f"/curricula/{other.slug}/entries/{entries[0].pk}/").status_code == 404
    assert client.get(f"/curricula/{other.slug}/entries/999999/").status_code == 404


def test_team_notes_stay_within_the_team(client, owner, member, outsider, entries):
    factories.make_team(owner, member)
    factories.make_team(outsider)
    factories.make_note(outsider, entries[0], "another team's note", visibility="team")
    client.force_login(owner)
    assert "another team" not in client.get(page(entries[0])).content.decode()


def test_my_status_is_pressed_on_a_linked_and_a_linkless_entry(client, owner, member, entries):
    progress_set(actor=owner, entry=entries[0], status="reading")
    progress_set(actor=owner, entry=entries[3], status="done")
    progress_set(actor=member, entry=entries[3], status="skipped")
    client.force_login(owner)
    for entry, status in ((entries[0], "reading"), (entries[3], "done"), (entries[1], "to_read")):
        html = client.get(page(entry)).content.decode()
        assert f'value="{status}" aria-pressed="true"' in html, entry.title
        assert html.count('aria-pressed="true"') == 1


def test_also_in_lists_other_active_entries_on_the_same_resource(client, owner, entries):
    other = factories.make_curriculum(slug="other", title="Other list")
    factories.make_entry(other, "Same paper there", resource=entries[0].resource)
    gone = factories.make_curriculum(slug="gone", title="Gone list")
    revision = Revision.objects.create(curriculum=gone, number=2, sha256="x", source_text="")
    factories.make_entry(gone, "Retired copy", resource=entries[0].resource, retired_in=revision)
    client.force_login(owner)
    html = client.get(page(entries[0])).content.decode()
    also = html[html.index("<h2>Also in</h2>") :]
    assert "Other list</a> — Same paper there" in also
    assert "Retired copy" not in html and "Core paper</a>" not in also
    assert "Also in" not in client.get(page(entries[3])).content.decode()


def test_my_note_is_not_listed_as_shared_and_empty_shared_notes_are_hidden(
    client, owner, member, entries
):
    factories.make_team(owner, member)
    factories.make_note(owner, entries[0], "mine, for the team", visibility="team")
    factories.make_note(member, entries[0], "", visibility="team")
    client.force_login(owner)
    html = client.get(page(entries[0])).content.decode()
    shared = html[html.index('id="shared-h"') :]
    assert "mine, for the team" in html and "mine, for the team" not in shared
    assert "Nobody on your team has shared a note on this yet." in shared


def test_entry_page_wrong_method(client, owner, entries):
    client.force_login(owner)
    assert client.post(page(entries[0])).status_code == 405


def test_follow_and_unfollow(client, owner, curriculum):
    client.force_login(owner)
    response = client.post(f"/curricula/{curriculum.slug}/follow")
    assert response.status_code == 302
    assert Enrollment.objects.filter(user=owner, curriculum=curriculum).exists()
    client.post(f"/curricula/{curriculum.slug}/unfollow")
    assert not Enrollment.objects.filter(user=owner).exists()


def test_follow_needs_post_sign_in_and_a_real_curriculum(client, owner, curriculum):
    assert client.post(f"/curricula/{curriculum.slug}/follow").status_code == 302
    assert not Enrollment.objects.exists()
    client.force_login(owner)
    assert client.get(f"/curricula/{curriculum.slug}/follow").status_code == 405
    assert client.post("/curricula/nope/follow").status_code == 404


def test_follow_requires_csrf(owner, curriculum):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(owner)
    assert csrf_client.post(f"/curricula/{curriculum.slug}/follow").status_code == 403
    assert not Enrollment.objects.exists()
