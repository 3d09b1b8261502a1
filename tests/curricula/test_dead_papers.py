"""A dead paper link is not the end: arXiv searched by the entry's label, a replacement offered
beside the archived copy, and accepted like a wrong-paper suggestion."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from curricula import tasks
from curricula.archive import resources_find_replacements
from curricula.arxiv.client import ArxivClient
from curricula.models import Entry, Resource, TitleCheck
from notes.models import Activity, Note, Progress
from tests import factories
from tests.curricula.arxiv_fake import AtomArxiv
from tests.curricula.test_verdicts import CHINCHILLA, RECORDS

OFFER = 'class="button">Replace with'
PAGE = reverse("admin:curricula_resource_linkhealth")
DEAD_PDF = "https://papers.example.org/hoffmann22/compute-optimal.pdf"
SNAPSHOT = (
    "https://web.archive.org/web/2023/https://papers.example.org/hoffmann22/compute-optimal.pdf"
)


@pytest.fixture
def arxiv(fast_checker, httpserver, settings):
    fake = AtomArxiv(RECORDS)
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    settings.READLIST_ARXIV_API_URL = httpserver.url_for("/api/query")
    return fake


def _dead_paper_entry(title: str = CHINCHILLA.title, *, health: str = "broken") -> Entry:
    """A paper listed by a PDF link on a lab's site whose title was read while it was alive."""
    resource = factories.make_resource(
        DEAD_PDF,
        kind=Resource.Kind.PAPER,
        health=health,
        page_title=CHINCHILLA.title,
        archived_url=SNAPSHOT,
        archived_at=datetime(2023, 5, 1, tzinfo=UTC),
    )
    return factories.make_entry(factories.make_curriculum(), title, resource=resource)


def _find() -> dict:
    with ArxivClient() as client:
        return resources_find_replacements(client=client)


@pytest.mark.django_db(transaction=True)
def test_a_dead_paper_link_is_offered_its_paper_on_arxiv_beside_the_archived_copy(
    arxiv, admin_client
):
    entry = _dead_paper_entry()
    assert _find()["searched"] == 1
    check = TitleCheck.objects.get(entry=entry)
    assert check.status == TitleCheck.Status.OK  # the right paper, only its link is dead
    assert [s["arxiv_id"] for s in check.suggestions] == [CHINCHILLA.arxiv_id]
    assert check.suggestions[0]["score"] >= 0.6
    body = admin_client.get(PAGE).content.decode()
    assert "Use the archived copy" in body
    assert f"{OFFER} {CHINCHILLA.arxiv_id}" in body
    # Not flagged as a wrong paper: the offer is under the dead links only.
    assert f"Use {CHINCHILLA.arxiv_id}" not in body


@pytest.mark.django_db(transaction=True)
def test_the_daily_archive_task_searches_for_replacements(arxiv, httpserver, settings):
    settings.READLIST_WAYBACK_API_URL = httpserver.url_for("/wayback/available")
    httpserver.expect_request("/wayback/available").respond_with_data(
        json.dumps({"archived_snapshots": {}}), content_type="application/json"
    )
    entry = _dead_paper_entry()
    Resource.objects.filter(pk=entry.resource_id).update(archived_url="", archived_at=None)
    counts = tasks.find_archives()
    assert counts["none"] == 1 and counts["replacements"]["searched"] == 1
    assert TitleCheck.objects.get(entry=entry).suggestions[0]["arxiv_id"] == CHINCHILLA.arxiv_id


@pytest.mark.django_db(transaction=True)
def test_a_live_paper_link_is_not_searched(arxiv):
    entry = _dead_paper_entry(health="ok")
    assert resources_find_replacements(client=None) == {}
    with ArxivClient() as client:
        from curricula.verify import titles_verify

        titles_verify(resource_ids=[entry.resource_id], client=client)
    assert arxiv.requests == []
    assert TitleCheck.objects.get(entry=entry).suggestions == []


@pytest.mark.django_db(transaction=True)
def test_a_candidate_below_the_minimum_score_is_not_offered(arxiv, admin_client):
    entry = _dead_paper_entry("Neural Tangent Kernel Lessons")
    _find()
    check = TitleCheck.objects.get(entry=entry)
    # arXiv answered with papers (Kaplan's has "Neural" in its title), none good enough.
    assert arxiv.search("all:Neural OR all:Tangent OR all:Kernel OR all:Lessons")
    assert check.searched_at is not None
    assert check.suggestions == []
    assert OFFER not in admin_client.get(PAGE).content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failure", ["empty", "503"])
def test_arxiv_answering_nothing_or_503_changes_nothing_stored(arxiv, settings, failure):
    settings.READLIST_ARXIV_RETRIES = 1
    entry = _dead_paper_entry()
    _find()
    before = TitleCheck.objects.values("status", "suggestions", "evidence").get(entry=entry)
    assert before["suggestions"]
    if failure == "empty":
        arxiv.empty_first = 100
    else:
        arxiv.fail_first = [503] * 100
    counts = _find()
    assert counts.get("searched", 0) == 0
    after = TitleCheck.objects.values("status", "suggestions", "evidence").get(entry=entry)
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_replacing_a_dead_link_moves_the_entry_and_peoples_work(arxiv, admin_client, admin_user):
    entry = _dead_paper_entry()
    member = factories.make_user()
    factories.make_enrollment(member, entry.curriculum)
    Progress.objects.create(
        user=member, resource_id=entry.resource_id, status="done", updated_at=datetime.now(UTC)
    )
    note = factories.make_note(member, entry, body="Tokens and parameters scale together.")
    old = entry.resource_id
    _find()
    response = admin_client.post(
        reverse("admin:curricula_resource_linkhealth_accept", args=[entry.id]),
        {"arxiv_id": CHINCHILLA.arxiv_id},  # follow is the default
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.resource.arxiv_id == CHINCHILLA.arxiv_id
    assert Progress.objects.get(user=member, resource=entry.resource).status == "done"
    assert Note.objects.get(pk=note.pk).resource_id == entry.resource_id
    assert not Progress.objects.filter(resource_id=old).exists()
    log = Activity.objects.get(user=member, verb=Activity.Verb.ENTRY_MOVED)
    assert log.detail["follow"] is True and log.detail["by"] == admin_user.pk
    # The offer is gone with the dead link.
    assert OFFER not in admin_client.get(PAGE).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_replacement_not_offered_is_refused(arxiv, admin_client):
    entry = _dead_paper_entry("Neural Tangent Kernel Lessons")
    _find()
    admin_client.post(
        reverse("admin:curricula_resource_linkhealth_accept", args=[entry.id]),
        {"arxiv_id": CHINCHILLA.arxiv_id},
    )
    entry.refresh_from_db()
    assert entry.resource.url == DEAD_PDF


@pytest.mark.django_db(transaction=True)
def test_page_queries_do_not_grow_with_dead_papers(arxiv, admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(PAGE).status_code == 200
        return len(ctx.captured_queries)

    _dead_paper_entry()
    _find()
    one = page_queries()
    for n in range(4):
        resource = factories.make_resource(
            f"https://papers.example.org/other-{n}.pdf", kind="paper", health="broken"
        )
        entry = factories.make_entry(
            factories.make_curriculum(), CHINCHILLA.title, resource=resource
        )
        TitleCheck.objects.create(
            entry=entry, suggestions=[{"arxiv_id": "2203.15556", "score": 0.9}]
        )
    body = admin_client.get(PAGE).content.decode()
    assert body.count(f"{OFFER} {CHINCHILLA.arxiv_id}") == 5
    assert page_queries() == one
