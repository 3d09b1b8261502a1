"""Offline (no DNS, no route, or internet access turned off as `make run` does): the arXiv worker
backs off to the scheduled runs at once instead of retrying every few seconds and filling the
log."""

from __future__ import annotations

import logging

import pytest

from curricula import tasks
from curricula.arxiv.client import ArxivClient, NetworkAbsent
from curricula.linkhealth import selectors
from curricula.models import Resource
from tests import factories

pytestmark = pytest.mark.django_db

NOWHERE = "http://127.0.0.1:9"  # nothing listens there: every connection is refused


@pytest.fixture
def paper(fast_checker, settings):
    settings.READLIST_ARXIV_API_URL = f"{NOWHERE}/api/query"
    settings.READLIST_ARXIV_RETRIES = 3
    return factories.make_resource(
        "https://arxiv.org/abs/2205.01068", arxiv_status=Resource.ArxivStatus.PENDING
    )


def assert_postponed_once(paper, caplog, *, saying: str) -> None:
    """fetch_arxiv postpones the paper to the next scheduled run: no retry, one warning that
    says why, nothing marked (the hourly run still finds it due)."""
    caplog.set_level(logging.INFO, logger="curricula")
    result = tasks.fetch_arxiv.apply(args=([paper.id],))
    assert result.successful(), result.traceback
    assert result.get() == {"postponed": 1}
    assert not [r for r in caplog.records if "retrying" in r.getMessage()]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and saying in warnings[0], warnings
    paper.refresh_from_db()
    assert paper.arxiv_status == Resource.ArxivStatus.PENDING
    assert paper.id in selectors.arxiv_due(limit=10)


def test_offline_arxiv_fetch_waits_for_the_schedule_without_retrying(paper, settings, caplog):
    settings.READLIST_LINKCHECK_CANARIES = [f"{NOWHERE}/canary"]
    assert_postponed_once(paper, caplog, saying="network absent")


def test_a_client_that_found_the_network_absent_asks_no_more(paper, settings):
    settings.READLIST_LINKCHECK_CANARIES = [f"{NOWHERE}/canary"]
    with ArxivClient() as client:
        with pytest.raises(NetworkAbsent):
            client.fetch_ids(["2205.01068"])
        with pytest.raises(NetworkAbsent):
            client.search_title("attention is all you need")
        assert client.requests == 1


def test_arxiv_down_with_the_network_up_still_retries(paper, caplog):
    # fast_checker's canary is a local server that answers: only arXiv is away.
    caplog.set_level(logging.INFO, logger="curricula")
    with ArxivClient() as client:
        with pytest.raises(Exception) as raised:
            client.fetch_ids(["2205.01068"])
        assert not isinstance(raised.value, NetworkAbsent)
        assert client.requests == 4  # the first try and three retries
    assert len([r for r in caplog.records if "retrying" in r.getMessage()]) == 3


def test_internet_access_turned_off_waits_for_the_schedule_without_retrying(
    paper, settings, caplog
):
    """`make run` (READLIST_FETCH_INTERNET=0): arXiv is refused before any DNS lookup, whatever
    the canaries say (fast_checker's local canary answers), so nothing is retried."""
    settings.READLIST_FETCH_INTERNET = False
    settings.READLIST_ARXIV_API_URL = "https://export.arxiv.org/api/query"
    assert_postponed_once(paper, caplog, saying="READLIST_FETCH_INTERNET=0")
