"""Papers that change after they are listed: withdrawn, superseded, published as."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

from curricula.arxiv.changes import changed_papers, paper_changes, paper_changes_digest_send
from curricula.arxiv.client import ArxivClient
from curricula.arxiv.services import arxiv_fetch
from curricula.exporter import export_bibtex, export_csljson
from curricula.models import Resource
from tests import factories
from tests.curricula.arxiv_fake import AtomArxiv, Record

PAPER = Record(
    "2001.08361",
    "Scaling Laws for Neural Language Models",
    "We study empirical scaling laws for language model performance.",
    ["Jared Kaplan", "Sam McCandlish"],
    "2020-01-23",
)


@pytest.fixture
def arxiv(fast_checker, httpserver, settings):
    fake = AtomArxiv([PAPER])
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    settings.READLIST_ARXIV_API_URL = httpserver.url_for("/api/query")
    return fake


def _fetch(resource):
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[resource.id], client=client, verify=False)
    resource.refresh_from_db()
    return resource


@pytest.mark.django_db(transaction=True)
def test_withdrawn_superseded_and_published_are_read_from_fetched_metadata(arxiv, admin_user):
    curriculum = factories.make_curriculum(title="Scaling")
    resource = factories.make_resource("https://arxiv.org/abs/2001.08361", kind="paper")
    factories.make_entry(curriculum, "Kaplan scaling laws", resource=resource)
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=True):
        _fetch(resource)
    assert not paper_changes(resource)
    assert changed_papers() == []

    # Later: v2 has a new title, a journal reference and a DOI; then the authors withdraw it.
    arxiv.records[PAPER.arxiv_id] = Record(
        PAPER.arxiv_id,
        "Scaling Laws for Neural Language Models, Revisited",
        PAPER.abstract,
        PAPER.authors,
        PAPER.published,
        version=2,
        journal_ref="Journal of Scaling 12 (2021) 1-30",
        doi="10.1234/scaling.2021",
    )
    with time_machine.travel(datetime(2026, 3, 9, 9, tzinfo=UTC), tick=True):
        _fetch(resource)
    changes = paper_changes(resource)
    assert changes.published_as == "Journal of Scaling 12 (2021) 1-30"
    assert changes.doi == "10.1234/scaling.2021"
    assert changes.superseded.startswith("v2 is retitled “Scaling Laws for Neural Language Models,")
    assert not changes.withdrawn
    assert [r.pk for r, _ in changed_papers()] == [resource.pk]

    arxiv.records[PAPER.arxiv_id].comment = "This paper has been withdrawn by the authors."
    arxiv.records[PAPER.arxiv_id].version = 3
    _fetch(resource)
    assert paper_changes(resource).withdrawn == "This paper has been withdrawn by the authors."

    # The weekly mail says all three once.
    admin_user.email = "curator@example.org"
    admin_user.save()
    assert paper_changes_digest_send() == 1
    body = mail.outbox[0].body
    assert "WITHDRAWN: This paper has been withdrawn" in body
    assert "Superseded: v3 is retitled" in body or "Superseded: v2 is retitled" in body
    assert "Published as: Journal of Scaling 12 (2021) 1-30 (doi:10.1234/scaling.2021)" in body
    assert '"Kaplan scaling laws" in Scaling' in body
    assert paper_changes_digest_send() == 0


@pytest.mark.django_db
def test_exports_cite_the_published_version_and_members_see_it(client, member):
    curriculum = factories.make_curriculum()
    resource = factories.make_resource(
        "https://arxiv.org/abs/2001.08361",
        kind="paper",
        arxiv_status="found",
        title="Scaling Laws for Neural Language Models",
        published=datetime(2020, 1, 23, tzinfo=UTC),
        journal_ref="Journal of Scaling 12 (2021) 1-30",
        doi="10.1234/scaling.2021",
    )
    entry = factories.make_entry(curriculum, "Kaplan scaling laws", resource=resource)
    bib = export_bibtex(curriculum)
    assert "year = {2021}" in bib
    assert "url = {https://doi.org/10.1234/scaling.2021}" in bib
    assert "journal = {Journal of Scaling 12 (2021) 1-30}" in bib
    item = json.loads(export_csljson(curriculum))[0]
    assert item["issued"] == {"date-parts": [[2021]]}
    assert item["URL"] == "https://doi.org/10.1234/scaling.2021"
    assert item["container-title"] == "Journal of Scaling 12 (2021) 1-30"

    factories.make_enrollment(member, curriculum)
    client.force_login(member)
    html = client.get(f"/curricula/{curriculum.slug}/entries/{entry.pk}/").content.decode()
    assert "Published as" in html and "Journal of Scaling 12 (2021) 1-30" in html
    assert 'href="https://doi.org/10.1234/scaling.2021"' in html


@pytest.mark.django_db
def test_the_curator_sees_changed_papers_on_the_link_health_page(client, admin_user):
    curriculum = factories.make_curriculum()
    resource = factories.make_resource(
        "https://arxiv.org/abs/2001.08361",
        kind="paper",
        arxiv_status="found",
        title="Scaling Laws, Revisited",
        title_before="Scaling Laws for Neural Language Models",
        latest_version=2,
        comment="Withdrawn: an error in section 3",
        changes_noticed_at=datetime(2026, 3, 9, tzinfo=UTC),
    )
    factories.make_entry(curriculum, "Kaplan scaling laws", resource=resource)
    client.force_login(admin_user)
    html = client.get("/admin/curricula/resource/linkhealth/").content.decode()
    assert "Papers that changed since they were listed (1)" in html
    assert "Withdrawn: an error in section 3" in html
    assert "v2 is retitled" in html
    assert Resource.objects.get(pk=resource.pk).changes.withdrawn
