"""Fixtures and a fake arXiv shared by the link-health, arXiv and worker tests."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest
from werkzeug.wrappers import Request, Response

ATOM_HEAD = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/fake</id>
  <title>arXiv Query: {query}</title>
  <updated>2025-11-11T18:34:08Z</updated>
  <link href="https://arxiv.org/api/query?{query}" type="application/atom+xml"/>
  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
"""

ENTRY = """  <entry>
    <id>https://arxiv.org/abs/{id}v{version}</id>
    <title>{title}</title>
    <updated>2023-01-0{version}T00:00:00Z</updated>
    <link href="https://arxiv.org/abs/{id}v{version}" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/{id}v{version}" rel="related" type="application/pdf"
      title="pdf"/>
    <summary>  An abstract about
      {title}.  </summary>
    <category term="{category}" scheme="http://arxiv.org/schemas/atom"/>
    <category term="stat.ML" scheme="http://arxiv.org/schemas/atom"/>
    <published>2021-12-08T00:00:00Z</published>
    <arxiv:primary_category term="{category}"/>
    <arxiv:comment>118 pages</arxiv:comment>
    <arxiv:journal_ref>Journal of Fakes 1 (2022)</arxiv:journal_ref>
    <arxiv:doi>10.0000/fake.{id}</arxiv:doi>
    <author><name>Ada Lovelace</name></author>
    <author><name>Alan Turing</name></author>
  </entry>
"""

ERROR_FEED = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/fake</id>
  <title>arXiv Query: error</title>
  <updated>2025-11-11T18:34:08Z</updated>
  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>
  <opensearch:totalResults>1</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <entry>
    <id>https://arxiv.org/api/errors#incorrect_id_format_for_{bad}</id>
    <title>Error</title>
    <summary>incorrect id format for {bad}</summary>
    <updated>2025-11-11T00:00:00Z</updated>
    <link href="https://arxiv.org/api/errors#incorrect_id_format_for_{bad}" rel="alternate"
      type="text/html"/>
    <author><name>arXiv api core</name></author>
  </entry>
</feed>
"""


class FakeArxiv:
    """Answers id_list and title-search queries like the arXiv API does (Atom, unordered)."""

    def __init__(self, papers: dict[str, tuple[str, int]] | None = None) -> None:
        self.papers = dict(papers or {})  # id → (title, latest version)
        self.requests: list[dict[str, list[str]]] = []
        self.empty_first = 0  # answer this many id_list queries with a valid empty feed
        self.fail_first: list[int] = []  # statuses to answer first (429, 503, …)

    def feed(self, query: str, ids: list[str]) -> str:
        entries = "".join(
            ENTRY.format(id=i, title=self.papers[i][0], version=self.papers[i][1], category="cs.CL")
            for i in reversed(ids)  # the API does not keep the order asked for
        )
        head = ATOM_HEAD.format(
            query=query.replace("&", "&amp;"), per_page=len(ids), total=len(ids)
        )
        return head + entries + "</feed>\n"

    def __call__(self, request: Request) -> Response:
        params = parse_qs(request.query_string.decode())
        self.requests.append(params)
        if self.fail_first:
            return Response(
                "Rate exceeded.", status=self.fail_first.pop(0), headers={"Retry-After": "0"}
            )
        query = request.query_string.decode()
        if "id_list" in params:
            asked = params["id_list"][0].split(",")
            for i in asked:
                if not _looks_like_id(i):
                    return Response(
                        ERROR_FEED.format(bad=i), status=400, content_type="application/atom+xml"
                    )
            if self.empty_first:
                self.empty_first -= 1
                return Response(self.feed(query, []), content_type="application/atom+xml")
            found = [i for i in asked if i in self.papers]
            return Response(self.feed(query, found), content_type="application/atom+xml")
        words = [
            w.split(":", 1)[1].lower()
            for w in params.get("search_query", [""])[0].split()
            if w.startswith("ti:")
        ]
        hits = [
            i
            for i, (title, _) in self.papers.items()
            if words and all(w in title.lower() for w in words)
        ]
        return Response(self.feed(query, hits), content_type="application/atom+xml")


def _looks_like_id(value: str) -> bool:
    import re

    return bool(re.fullmatch(r"\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7}", value))


@pytest.fixture
def fetch_local(settings):
    """Let the outbound HTTP module reach the local test servers."""
    settings.READLIST_FETCH_ALLOW = ["127.0.0.1", "::1", "localhost"]
    return settings


@pytest.fixture
def fast_checker(settings, fetch_local, httpserver):
    """Short intervals, a local canary, and Redis keys of this test's own."""
    settings.READLIST_LINKCHECK_HOST_INTERVAL = 0.05
    settings.READLIST_LINKCHECK_TIMEOUT = 2.0
    settings.READLIST_LINKCHECK_CONNECT_TIMEOUT = 1.0
    settings.READLIST_LINKCHECK_THREADS = 8
    settings.READLIST_ARXIV_MIN_INTERVAL = 0.01
    settings.READLIST_ARXIV_BACKOFF = 0.01
    httpserver.expect_request("/canary").respond_with_data("ok")
    settings.READLIST_LINKCHECK_CANARIES = [httpserver.url_for("/canary")]
    yield settings


@pytest.fixture(autouse=True)
def _own_redis_keys(settings):
    """Each test gets its own key prefix; its keys are removed afterwards (never FLUSHDB)."""
    prefix = f"test-workers-{uuid.uuid4().hex[:12]}"
    settings.READLIST_REDIS_PREFIX = prefix
    yield
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
def late(httpserver):
    """late(seconds, body): a handler that answers after `seconds`, or at once when the test
    ends first. The test then waits for the answer to be logged: pytest-httpserver's server
    and log are shared, so a request still sleeping would land in the next test's log."""
    release = threading.Event()
    started: list[str] = []

    def make(seconds: float, body: str = "late", **response: Any) -> Callable:
        def handler(request: Any) -> Response:
            started.append(request.path)
            release.wait(seconds)
            return Response(body, **response)

        return handler

    yield make
    release.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        logged = [request.path for request, _ in httpserver.log]
        if all(logged.count(path) >= started.count(path) for path in set(started)):
            break
        time.sleep(0.01)
