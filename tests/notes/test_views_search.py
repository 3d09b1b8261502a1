"""Search over entries, paper metadata and my own notes (not other people's)."""

from __future__ import annotations

import pytest

from curricula.models import Resource
from tests import factories

pytestmark = pytest.mark.django_db


def test_search_finds_entries_by_title_authors_and_abstract(client, owner, entries):
    Resource.objects.filter(pk=entries[1].resource_id).update(
        title="Byte pair encoding",
        authors=["Rico Sennrich"],
        abstract="subword units for rare words",
    )
    client.force_login(owner)
    for q in ("Core paper", "Sennrich", "subword units"):
        html = client.get("/search/", {"q": q}).content.decode()
        assert '<h2>Entries and papers <span class="muted">(1)</span></h2>' in html, q


def test_search_covers_my_notes_only(client, owner, member, entries):
    factories.make_note(owner, entries[0], "temperature knobs everywhere")
    factories.make_note(member, entries[1], "temperature secrets", visibility="team")
    client.force_login(owner)
    html = client.get("/search/", {"q": "temperature"}).content.decode()
    assert "temperature knobs" in html and "secrets" not in html


def test_empty_and_overlong_queries(client, owner):
    client.force_login(owner)
    assert client.get("/search/").status_code == 200
    response = client.get("/search/", {"q": "x" * 500})
    assert response.status_code == 422 and "at most 200" in response.content.decode()
    assert client.post("/search/").status_code == 405


def test_search_needs_sign_in(client):
    assert client.get("/search/", {"q": "x"}).status_code == 302
