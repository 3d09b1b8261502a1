"""The arXiv client and metadata service against a local fake arXiv speaking the API's Atom."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import time_machine

from curricula.arxiv.atom import FeedError, parse_feed, split_id
from curricula.arxiv.client import ArxivClient, ArxivUnavailable
from curricula.arxiv.services import arxiv_fetch
from curricula.models import Resource
from tests import factories
from tests.curricula.workers_support import ERROR_FEED, FakeArxiv

pytestmark = pytest.mark.django_db(transaction=True)

PAPERS = {
    "2112.11446": (
        "Scaling Language Models: Methods, Analysis &amp; Insights from Training Gopher",
        2,
    ),
    "2205.01068": ("OPT: Open Pre-trained Transformer Language Models", 4),
    "hep-th/9901001": ("An Old-Style Paper About Strings", 1),
    "math/0309136": ("An Old-Style Paper About Knots", 2),
    "cs/0112017": ("An Old-Style Paper About Agents", 1),
    "1706.03762": ("Attention Is All You Need", 7),
}


@pytest.fixture
def fake_arxiv(fast_checker, httpserver, settings):
    fake = FakeArxiv(PAPERS)
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    settings.READLIST_ARXIV_API_URL = httpserver.url_for("/api/query")
    return fake


def test_parse_feed_reads_every_field():
    fake = FakeArxiv(PAPERS)
    feed = parse_feed(fake.feed("id_list=2112.11446", ["2112.11446"]).encode())
    paper = feed.papers["2112.11446"]
    assert paper.title.startswith("Scaling Language Models: Methods, Analysis & Insights")
    assert paper.version == 2
    assert paper.authors == ["Ada Lovelace", "Alan Turing"]
    assert paper.abstract.startswith("An abstract about Scaling")
    assert paper.primary_category == "cs.CL"
    assert paper.categories == ["cs.CL", "stat.ML"]
    assert paper.doi == "10.0000/fake.2112.11446"
    assert paper.journal_ref == "Journal of Fakes 1 (2022)"
    assert paper.comment == "118 pages"
    assert paper.pdf_url == "https://arxiv.org/pdf/2112.11446v2"
    assert paper.published.year == 2021


def test_parse_error_feed_names_the_bad_id():
    feed = parse_feed(ERROR_FEED.format(bad="1234.5").encode())
    assert feed.papers == {}
    assert feed.error == "incorrect id format for 1234.5"
    assert feed.bad_id == "1234.5"


def test_entity_expansion_is_refused():
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>"""
    with pytest.raises(FeedError):
        parse_feed(bomb)


def test_not_a_feed_is_a_feed_error():
    with pytest.raises(FeedError):
        parse_feed(b"Rate exceeded.")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://arxiv.org/abs/2112.11446v2", ("2112.11446", 2)),
        ("http://arxiv.org/abs/hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("http://arxiv.org/abs/math.GT/0309136v3", ("math.GT/0309136", 3)),
        ("2205.01068", ("2205.01068", None)),
    ],
)
def test_split_id(raw, expected):
    assert split_id(raw) == expected


def test_batch_with_one_id_missing(fake_arxiv):
    with ArxivClient() as client:
        lookup = client.fetch_ids(["2112.11446", "2205.01068", "2401.99999"])
    assert set(lookup.papers) == {"2112.11446", "2205.01068"}
    assert lookup.missing == {"2401.99999"}
    params = fake_arxiv.requests[0]
    assert params["max_results"] == ["3"]
    assert len(fake_arxiv.requests) == 1


def test_old_style_ids_and_versions(fake_arxiv):
    with ArxivClient() as client:
        lookup = client.fetch_ids(["hep-th/9901001", "1706.03762"])
    assert lookup.papers["hep-th/9901001"].title == "An Old-Style Paper About Strings"
    assert lookup.papers["1706.03762"].version == 7


def test_an_old_style_id_with_its_subject_class_is_found_under_the_id_arxiv_answers_with(
    fake_arxiv,
):
    # arXiv answers "math/0309136" (the subject class is not part of the id) to a link that
    # says "math.GT/0309136": before, that link was "missing", then "not found on arXiv".
    with ArxivClient() as client:
        lookup = client.fetch_ids(["math.GT/0309136", "cs/0112017", "cs.AI/9901999"])
    assert lookup.papers["math.GT/0309136"].title == "An Old-Style Paper About Knots"
    assert lookup.papers["cs/0112017"].title == "An Old-Style Paper About Agents"
    assert lookup.missing == {"cs.AI/9901999"}
    assert fake_arxiv.requests[0]["id_list"] == ["math/0309136,cs/0112017,cs/9901999"]
    paper = factories.make_resource("https://arxiv.org/pdf/math.GT/0309136v2.pdf")
    arxiv_fetch(resource_ids=[paper.id], verify=False)
    paper.refresh_from_db()
    assert paper.arxiv_id == "math.GT/0309136"
    assert paper.arxiv_status == Resource.ArxivStatus.FOUND


def test_batches_are_at_most_100_ids(fake_arxiv):
    ids = [f"2301.{n:05d}" for n in range(250)]
    fake_arxiv.papers.update({i: (f"Paper {i}", 1) for i in ids[::2]})
    with ArxivClient() as client:
        lookup = client.fetch_ids(ids)
    assert len(fake_arxiv.requests) == 3
    assert max(len(r["id_list"][0].split(",")) for r in fake_arxiv.requests) == 100
    assert len(lookup.papers) == 125
    assert len(lookup.missing) == 125


def test_empty_feed_is_retried_with_backoff_and_never_counts_as_missing(fake_arxiv):
    fake_arxiv.empty_first = 1
    with ArxivClient() as client:
        lookup = client.fetch_ids(["2112.11446"])
    assert "2112.11446" in lookup.papers
    assert len(fake_arxiv.requests) == 2

    fake_arxiv.requests.clear()
    fake_arxiv.empty_first = 10
    with ArxivClient(retries=3) as client:
        lookup = client.fetch_ids(["2112.11446"])
    assert lookup.missing == set()
    assert lookup.unanswered == {"2112.11446"}
    assert len(fake_arxiv.requests) == 4


def test_400_error_feed_is_read_and_the_rest_still_fetched(fake_arxiv):
    with ArxivClient() as client:
        lookup = client.fetch_ids(["2112.11446", "1234.5", "2205.01068"])
    assert lookup.invalid == {"1234.5": "incorrect id format for 1234.5"}
    assert set(lookup.papers) == {"2112.11446", "2205.01068"}


def test_429_and_503_are_retried_with_backoff(fake_arxiv):
    fake_arxiv.fail_first = [429, 503]
    with ArxivClient() as client:
        lookup = client.fetch_ids(["2112.11446"])
        assert client.requests == 3
    assert "2112.11446" in lookup.papers


def test_persistent_trouble_raises_and_marks_nothing(fake_arxiv, settings):
    settings.READLIST_ARXIV_RETRIES = 2
    fake_arxiv.fail_first = [503, 503, 503, 503]
    resource = factories.make_resource("https://arxiv.org/abs/2112.11446")
    with pytest.raises(ArxivUnavailable):
        arxiv_fetch(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.arxiv_status != "not_found"
    assert resource.metadata_fetched_at is None
    assert resource.fetch_claim == ""


def test_one_request_per_interval_across_clients(fake_arxiv):
    # Two clients (as two workers would be) share the gate.
    first = ArxivClient(min_interval=0.4)
    second = ArxivClient(min_interval=0.4)
    started = time.monotonic()
    first.fetch_ids(["2112.11446"])
    second.fetch_ids(["2205.01068"])
    first.fetch_ids(["1706.03762"])
    assert time.monotonic() - started >= 0.75
    first.close()
    second.close()


def test_service_stores_metadata_and_marks_missing(fake_arxiv):
    found = factories.make_resource("https://arxiv.org/abs/2112.11446v1")
    missing = factories.make_resource("https://arxiv.org/abs/2401.99999")
    counts = arxiv_fetch(resource_ids=[found.id, missing.id], verify=False)
    assert counts["found"] == 1
    assert counts["not_found"] == 1
    found.refresh_from_db()
    missing.refresh_from_db()
    assert found.arxiv_status == Resource.ArxivStatus.FOUND
    assert found.title.endswith("Insights from Training Gopher")
    assert found.latest_version == 2
    assert found.authors == ["Ada Lovelace", "Alan Turing"]
    assert found.categories == ["cs.CL", "stat.ML"]
    assert found.primary_category == "cs.CL"
    assert found.doi == "10.0000/fake.2112.11446"
    assert found.pdf_url.endswith("2112.11446v2")
    assert found.metadata_fetched_at is not None
    assert missing.arxiv_status == Resource.ArxivStatus.NOT_FOUND


def test_an_error_feed_about_a_found_paper_is_a_flap_until_a_later_day(fake_arxiv, httpserver):
    paper = factories.make_resource("https://arxiv.org/abs/2112.11446")
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False):
        arxiv_fetch(resource_ids=[paper.id], verify=False)
    paper.refresh_from_db()
    found_comment = paper.comment
    httpserver.clear_all_handlers()
    httpserver.expect_request("/api/query").respond_with_data(
        ERROR_FEED.format(bad="2112.11446"), status=400, content_type="application/atom+xml"
    )
    with time_machine.travel(datetime(2026, 3, 2, 15, tzinfo=UTC), tick=False):
        counts = arxiv_fetch(resource_ids=[paper.id], verify=False)
    paper.refresh_from_db()
    assert counts["inconclusive"] == 1
    assert paper.arxiv_status == Resource.ArxivStatus.FOUND
    assert paper.title.endswith("Insights from Training Gopher")
    assert paper.comment == found_comment
    with time_machine.travel(datetime(2026, 3, 4, 9, tzinfo=UTC), tick=False):
        arxiv_fetch(resource_ids=[paper.id], verify=False)
    paper.refresh_from_db()
    assert paper.arxiv_status == Resource.ArxivStatus.NOT_FOUND
    assert "incorrect id format" in paper.comment


def test_title_search_returns_candidates(fake_arxiv):
    with ArxivClient() as client:
        papers = client.search_title("OPT: Open Pre-trained Transformer Language Models")
    assert [p.arxiv_id for p in papers] == ["2205.01068"]
    assert "ti:OPT" in fake_arxiv.requests[0]["search_query"][0]
