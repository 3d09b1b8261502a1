"""A small arXiv API client: batched id_list queries, one request per 3 s across all workers
(timed from when the previous answer arrived, so the gap can never be shorter), backoff on
429/503/timeouts, empty feeds retried with backoff and reported as unanswered (never as
missing), error feeds read rather than crashed on."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

import httpx
from django.conf import settings

from curricula.arxiv.atom import Feed, FeedError, Paper, parse_feed
from curricula.linkhealth.politeness import Gate, Grant, get_gate, wait_for_slot
from readlist import http

log = logging.getLogger(__name__)
RETRY_STATUSES = {429, 500, 502, 503, 504}
_STOPWORDS = {
    "a", "an", "and", "are", "as", "at", "by", "for", "from", "in", "is", "of", "on", "or",
    "the", "to", "via", "with", "we", "what", "how", "do", "does", "your", "you", "all",
}  # fmt: skip


class ArxivUnavailable(RuntimeError):
    """arXiv did not give a usable answer after the retries; nothing should be marked missing."""


class NetworkAbsent(ArxivUnavailable):
    """arXiv could not be reached and neither could the canaries: this machine is offline.
    Retrying in seconds only fills the log; the scheduled runs will try again."""


# Failures that say the way to arXiv is missing, not that arXiv answered badly ("offline":
# READLIST_FETCH_INTERNET=0 refused it, as `make run` does).
_NO_ROUTE = {"dns", "dns_temporary", "connect", "offline"}


def api_id(arxiv_id: str) -> str:
    """'math.GT/0309136' → 'math/0309136': an old-style id's subject class is not part of the
    identifier, and arXiv's answers leave it out."""
    archive, slash, number = arxiv_id.partition("/")
    return f"{archive.split('.')[0]}/{number}" if slash else arxiv_id


@dataclass
class Lookup:
    papers: dict[str, Paper] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)  # absent from an answer that had others
    invalid: dict[str, str] = field(default_factory=dict)  # id → arXiv's error message
    # Asked in a batch that came back empty after every retry: arXiv said nothing about them.
    unanswered: set[str] = field(default_factory=set)


class ArxivClient:
    def __init__(
        self,
        *,
        api_url: str | None = None,
        gate: Gate | None = None,
        min_interval: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
        timeout: float | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.api_url = api_url or settings.READLIST_ARXIV_API_URL
        self.gate = gate or get_gate()
        self.min_interval = (
            settings.READLIST_ARXIV_MIN_INTERVAL if min_interval is None else min_interval
        )
        self.retries = settings.READLIST_ARXIV_RETRIES if retries is None else retries
        self.backoff = settings.READLIST_ARXIV_BACKOFF if backoff is None else backoff
        self.timeout = settings.READLIST_ARXIV_TIMEOUT if timeout is None else timeout
        self.batch_size = min(100, batch_size or settings.READLIST_ARXIV_BATCH)
        self.requests = 0
        self.offline = ""  # set once the network was found absent: later requests fail at once
        self._client: httpx.Client | None = None

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = http.make_client(max_connections=1)  # arXiv asks for one connection
        return self._client

    def _request(self, params: dict[str, str]) -> Feed:
        """One query, rate-limited across workers, retried with backoff; a 400 error feed is a
        normal answer."""
        attempt = 0
        if self.offline:
            raise NetworkAbsent(self.offline)
        client = self.client  # built before the slot is taken, not inside the 3 seconds
        while True:
            grant = self._slot()
            try:
                self.requests += 1
                result = http.fetch(
                    self.api_url,
                    client=client,
                    params=params,
                    max_bytes=20 * 1024 * 1024,
                    total_timeout=self.timeout,
                    headers={"Accept": "application/atom+xml"},
                )
            finally:
                # The next request, from any worker, waits a full interval from now: the
                # request we sent reached arXiv before its answer reached us, so the gap
                # between two requests arriving there is never under the interval.
                self.gate.defer("arxiv-api", time.time() + self.min_interval, scope="arxiv")
                self.gate.release("arxiv-api", grant.token, scope="arxiv")
            problem = ""
            if result.error:
                problem = f"{result.error}: {result.error_detail}"
            elif result.status in RETRY_STATUSES:
                problem = f"HTTP {result.status}"
            else:
                try:
                    feed = parse_feed(result.body)
                except FeedError as exc:
                    problem = f"HTTP {result.status}: {exc}"
                else:
                    if result.status == 200 or feed.error:
                        return feed
                    problem = f"HTTP {result.status}"
            if result.error in _NO_ROUTE and self._network_absent(result.error, problem):
                raise NetworkAbsent(self.offline)
            attempt += 1
            if attempt > self.retries:
                raise ArxivUnavailable(f"arXiv did not answer usefully: {problem}")
            wait = self.backoff * (2 ** (attempt - 1))
            retry_after = result.headers.get("retry-after", "") if not result.error else ""
            if retry_after.isdigit():
                wait = max(wait, min(float(retry_after), 300.0))
            log.info("arXiv: %s; retrying in %.1fs", problem, wait)
            time.sleep(wait)

    def _network_absent(self, error: str, problem: str) -> bool:
        """Ask the link checker's canaries: when they fail too, the network is absent. Internet
        access turned off is absent by choice: no canary can change that."""
        from curricula.linkhealth.breaker import canaries_reachable

        if error == "offline":
            self.offline = f"network absent: arXiv ({problem})"[:1000]
            return True
        verdict = canaries_reachable()
        if verdict.online:
            return False
        self.offline = f"network absent: arXiv ({problem}) and {verdict.detail}"[:1000]
        return True

    def _slot(self) -> Grant:
        max_wait = max(60.0, self.min_interval * 20)
        deadline = time.monotonic() + max_wait
        while True:
            grant = wait_for_slot(
                self.gate,
                "arxiv-api",
                interval=self.min_interval,
                limit=1,
                max_wait=max(0.0, deadline - time.monotonic()),
                scope="arxiv",
                lease=self.timeout + 5,
            )
            if grant.granted:
                return grant
            pause = (grant.deferred_until - time.time()) if grant.deferred_until else grant.wait
            if time.monotonic() + pause > deadline:
                raise ArxivUnavailable("arXiv is asking us to wait (rate limit)")
            time.sleep(max(0.01, pause))

    def fetch_ids(self, ids: list[str]) -> Lookup:
        """Metadata for each id (without version); ids arXiv does not return are `missing`.

        arXiv is asked, and answers, with the bare old-style id ("math/0309136"); the answer is
        given back under the id as asked ("math.GT/0309136")."""
        asked: dict[str, list[str]] = {}
        for raw in ids:
            if raw.strip():
                asked.setdefault(api_id(raw.strip()), []).append(raw.strip())
        lookup = Lookup()
        unique = list(asked)
        for start in range(0, len(unique), self.batch_size):
            self._fetch_batch(unique[start : start + self.batch_size], lookup)
        if all(names == [key] for key, names in asked.items()):
            return lookup
        answer = Lookup()
        for key, names in asked.items():
            for name in dict.fromkeys(names):
                if key in lookup.papers:
                    answer.papers[name] = lookup.papers[key]
                if key in lookup.missing:
                    answer.missing.add(name)
                if key in lookup.invalid:
                    answer.invalid[name] = lookup.invalid[key]
                if key in lookup.unanswered:
                    answer.unanswered.add(name)
        return answer

    def _fetch_batch(self, batch: list[str], lookup: Lookup) -> None:
        empty_tries = 0
        while batch:
            feed = self._request(
                {"id_list": ",".join(batch), "start": "0", "max_results": str(len(batch))}
            )
            if feed.error:
                bad = feed.bad_id.rstrip(",")
                if bad in batch:
                    lookup.invalid[bad] = feed.error
                    batch = [i for i in batch if i != bad]
                    continue
                if len(batch) == 1:
                    lookup.invalid[batch[0]] = feed.error
                    return
                half = len(batch) // 2  # the error names no id we sent: find it by halves
                self._fetch_batch(batch[:half], lookup)
                self._fetch_batch(batch[half:], lookup)
                return
            if not feed.papers:
                # arXiv sometimes answers a valid query with an empty feed for ids that exist:
                # ask again with backoff, and if it stays empty say nothing about these ids.
                if empty_tries < self.retries:
                    empty_tries += 1
                    wait = self.backoff * (2 ** (empty_tries - 1))
                    log.info("arXiv: empty feed for %d ids; retrying in %.1fs", len(batch), wait)
                    time.sleep(wait)
                    continue
                lookup.unanswered.update(batch)
                return
            for paper_id, paper in feed.papers.items():
                if paper_id in batch:
                    lookup.papers[paper_id] = paper
            lookup.missing.update(i for i in batch if i not in feed.papers)
            return

    def search(
        self, phrase: str, *, field: str = "ti", any_word: bool = False, max_results: int = 10
    ) -> list[Paper] | None:
        """Papers whose `field` (ti, abs, all) has every word of the phrase (any word, ranked by
        arXiv's relevance, with `any_word`). An empty answer is asked once more after a pause;
        None when it stays empty (no news, not "no papers")."""
        words = [w for w in re.findall(r"[A-Za-z0-9]+", phrase) if w.lower() not in _STOPWORDS]
        if not words:
            return []
        joiner = " OR " if any_word else " AND "
        query = joiner.join(f"{field}:{w}" for w in words[:8])
        params = {"search_query": query, "start": "0", "max_results": str(max_results)}
        feed = self._request(params)
        if not feed.papers:
            time.sleep(self.backoff)
            feed = self._request(params)
        return list(feed.papers.values()) or None

    def search_title(self, title: str, *, max_results: int = 10) -> list[Paper]:
        return self.search(title, field="ti", max_results=max_results) or []
