"""Members export their own reading (BibTeX, CSL-JSON, Markdown) with their status and their
own notes, never anyone else's; the records are curricula/exporter.py's."""

from __future__ import annotations

import json

import pytest

from notes import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def reading(owner, member, curriculum, entries):
    factories.make_enrollment(owner, curriculum)
    paper = entries[0]
    paper.resource.kind, paper.resource.arxiv_id, paper.resource.title = (
        "paper",
        "2001.08361",
        "Scaling Laws",
    )
    paper.resource.save()
    services.progress_set(actor=owner, entry=paper, status="done")
    factories.make_note(owner, paper, "Loss falls as a *power law*.")
    factories.make_team(owner, member)
    factories.make_note(member, entries[1], "member's shared note", visibility="team")
    services.progress_set(actor=member, entry=entries[1], status="done")
    return paper


def test_bibtex_carries_my_status_and_note(client, owner, reading):
    client.force_login(owner)
    response = client.get("/notes/reading.bib")
    assert response.status_code == 200 and "bibtex" in response["Content-Type"]
    text = response.content.decode()
    assert "@misc{arXiv:2001.08361," in text
    assert "readstatus = {done}" in text and "annotation = {Loss falls as a *power law*.}" in text
    assert "member's shared note" not in text


def test_csl_json_carries_my_status_and_note(client, owner, reading):
    client.force_login(owner)
    items = json.loads(client.get("/notes/reading.json?curriculum=mini").content)
    (item,) = [i for i in items if i["id"] == "arXiv:2001.08361"]
    assert item["note"] == "Readlist status: done"
    assert item["annote"] == "Loss falls as a *power law*."
    assert all("member" not in i.get("annote", "") for i in items)


def test_markdown_reading_list_marks_what_i_read(client, owner, entries, reading):
    client.force_login(owner)
    text = client.get("/notes/reading.md").content.decode()
    assert "## Mini" in text
    assert "- [x] Core paper" in text and "— done" in text
    assert "  > Loss falls as a *power law*." in text
    assert "- [ ] Practitioner post" in text and "— to read" in text  # member's status not mine
    assert "member's shared note" not in text


def test_bad_format_or_curriculum_is_404_and_sign_in_needed(client, owner, reading):
    assert client.get("/notes/reading.bib").status_code == 302
    client.force_login(owner)
    assert client.get("/notes/reading.docx").status_code == 404
    assert client.get("/notes/reading.bib?curriculum=nope").status_code == 404
    assert client.post("/notes/reading.bib").status_code == 405


def test_export_links_on_my_notes(client, owner, reading):
    client.force_login(owner)
    html = client.get("/notes/").content.decode()
    assert 'href="/notes/reading.bib"' in html and 'href="/notes/reading.json"' in html
