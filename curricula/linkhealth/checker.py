"""The link checker: classifies one fetch, and checks many links concurrently across hosts while
staying polite to each host (see politeness.py)."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from itertools import pairwise
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import connection

from curricula.linkhealth.pagetext import read_enough, read_page, says_not_found
from curricula.linkhealth.politeness import Gate, wait_for_slot
from readlist import http

OK, MOVED, BROKEN, BLOCKED, ERROR, SOFT_404 = (
    "ok",
    "moved",
    "broken",
    "blocked",
    "error",
    "soft_404",
)
BLOCKED_CODES = {401, 403, 429, 451, 999}
BROKEN_CODES = {404, 410}
_CHALLENGE_MARKERS = (
    "cf-chl-",
    "challenge-platform",
    "just a moment...",
    "attention required! | cloudflare",
    "captcha-delivery.com",
    "px-captcha",
    "please enable cookies",
)
log = logging.getLogger(__name__)
# Words of a login page's path or host name ("/login", "/accounts/ServiceLogin", "/sign-in",
# "sso.example.org"): whole words, so "/lessons/" (sso) and "/authors/" (auth) are not logins.
_LOGIN = "login logon signin signon sso auth oauth oauth2 authorize authenticate saml idp"
_LOGIN_WORDS = frozenset(_LOGIN.split())
_LOGIN_PAIRS = {("sign", "in"), ("log", "in"), ("sign", "on"), ("log", "on")}
# The page a directory's URL serves: "/docs/index.html" redirected to "/docs/" is the same page.
_INDEX_PAGE = re.compile(r"/(?:index|default|home)\.(?:html?|php|aspx?|jsp)$", re.IGNORECASE)


@dataclass
class Outcome:
    """What checking one link found."""

    key: int
    url: str
    outcome: str = ""  # one of the constants above; "" when the link was not checked
    status: int | None = None
    final_url: str = ""
    moved_to: str = ""
    elapsed_ms: int | None = None
    error: str = ""
    page_title: str = ""
    page_description: str = ""  # the page's own summary of itself (pagetext.py)
    network_failure: bool = False
    deferred_until: float | None = None  # epoch seconds: the host asked us to come back later

    @property
    def checked(self) -> bool:
        return bool(self.outcome)


def _text(value: str) -> str:
    """Text as the database can store it: PostgreSQL refuses NUL characters, and one page that
    holds one would otherwise roll back the whole run's results."""
    return value.replace("\x00", "")


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _same_place(a: str, b: str) -> bool:
    """Equal but for scheme, a leading www., a trailing slash or an index page: not worth
    calling "moved"."""

    def norm(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url)
        host = (parts.hostname or "").removeprefix("www.")
        return host, _INDEX_PAGE.sub("/", parts.path).rstrip("/"), parts.query

    return norm(a) == norm(b)


def _is_login(url: str) -> bool:
    parts = urlsplit(url)
    host_words = (parts.hostname or "").split(".")[:1]
    words = [w for w in re.split(r"[^a-z0-9]+", parts.path.lower()) if w]
    if any(w in _LOGIN_WORDS for w in host_words + words):
        return True
    if any(w.endswith("login") or w.startswith("login") for w in words):
        return True  # "ServiceLogin", "loginpage"
    return any(pair in _LOGIN_PAIRS for pair in pairwise(words))


def _is_soft_404(original: str, final: str) -> bool:
    """Redirected to the site's front page, or to a login page from a page that was not one."""
    before, after = urlsplit(original), urlsplit(final)
    before_path = _INDEX_PAGE.sub("/", before.path)
    if after.path in ("", "/") and before_path not in ("", "/"):
        return True
    return _is_login(final) and not _is_login(original)


def _is_html(result: http.FetchResult) -> bool:
    return "html" in result.headers.get("content-type", "html")


def classify(result: http.FetchResult, key: int = 0) -> Outcome:
    """Turn one fetch into an outcome."""
    out = Outcome(
        key=key,
        url=result.url,
        status=result.status,
        final_url=_text(result.final_url),
        elapsed_ms=int(result.elapsed * 1000),
        network_failure=result.network_failure,
    )
    if result.error:
        out.error = _text(f"{result.error}: {result.error_detail}")[:2000]
        out.outcome = BROKEN if result.error == "dns" else ERROR
        return out
    status = result.status or 0
    text = result.text if result.body else ""
    lowered = text[:20000].lower()
    if status in BROKEN_CODES:
        out.outcome = BROKEN
    elif status in BLOCKED_CODES or (
        status == 503
        and ("cf-mitigated" in result.headers or any(m in lowered for m in _CHALLENGE_MARKERS))
    ):
        out.outcome = BLOCKED
    elif status >= 400:
        out.outcome = ERROR
        out.error = f"HTTP {status}"
    elif any(m in lowered for m in _CHALLENGE_MARKERS):
        out.outcome = BLOCKED
        out.error = "bot challenge page"
    elif result.hops and _is_soft_404(result.url, result.final_url):
        out.outcome = SOFT_404
    elif status == 200 and _is_html(result) and says_not_found(text):
        out.outcome = SOFT_404
        out.error = "the page says it is not found"
    elif (
        result.hops
        and result.hops[0].status in http.PERMANENT_REDIRECTS
        and not _same_place(result.url, result.final_url)
    ):
        out.outcome = MOVED
        out.moved_to = result.final_url
    else:
        out.outcome = OK
    if status in (429, 503):
        wait = retry_after_seconds(result.headers.get("retry-after"))
        if wait is not None:
            cap = settings.READLIST_LINKCHECK_RETRY_AFTER_CAP
            out.deferred_until = time.time() + min(max(wait, 1.0), cap)
    # Only the page itself names the page: a bot wall, an error page or the front page that a
    # soft 404 lands on would make every title look wrong.
    if out.outcome in (OK, MOVED) and _is_html(result):
        out.page_title, out.page_description = read_page(text)
    return out


@dataclass
class CheckSettings:
    interval: float
    limit: int
    threads: int
    timeout: float
    connect_timeout: float
    max_bytes: int
    max_wait: float = 30.0

    @classmethod
    def from_settings(cls, **overrides) -> CheckSettings:
        values = {
            "interval": settings.READLIST_LINKCHECK_HOST_INTERVAL,
            "limit": settings.READLIST_LINKCHECK_HOST_CONCURRENCY,
            "threads": settings.READLIST_LINKCHECK_THREADS,
            "timeout": settings.READLIST_LINKCHECK_TIMEOUT,
            "connect_timeout": settings.READLIST_LINKCHECK_CONNECT_TIMEOUT,
            "max_bytes": settings.READLIST_LINKCHECK_MAX_BYTES,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def check_one(
    url: str,
    *,
    client: httpx.Client,
    conf: CheckSettings,
    key: int = 0,
    on_sent: Callable[[], None] | None = None,
) -> Outcome:
    """Check one link. Never raises: whatever goes wrong with this link is its own `error`
    result, so one bad link cannot cost the batch the others' results."""
    try:
        result = http.fetch(
            url,
            client=client,
            max_bytes=conf.max_bytes,
            total_timeout=conf.timeout,
            connect_timeout=conf.connect_timeout,
            stop_when=read_enough,
            on_sent=on_sent,
        )
        return classify(result, key)
    except Exception as exc:
        log.exception("checking %s failed", url[:200])
        detail = _text(f"checker failure: {type(exc).__name__}: {exc}")
        return Outcome(key=key, url=url, outcome=ERROR, error=detail[:2000])


def send_margin(interval: float) -> float:
    """Added to the interval from a request's send to the next: the site sees arrivals, and two
    requests need not take equally long to reach it."""
    return min(0.05, interval * 0.05)


def check_many(
    items: list[tuple[int, str]],
    *,
    gate: Gate,
    conf: CheckSettings,
    deadline: float | None = None,
) -> list[Outcome]:
    """Check (key, url) pairs: hosts in parallel, each host at most `conf.limit` at once and one
    request per `conf.interval` (across workers, via the gate). Links of a host that asked us to
    back off come back unchecked with `deferred_until` set; none of them is requested."""
    by_host: dict[str, deque[tuple[int, str]]] = defaultdict(deque)
    for key, url in items:
        by_host[http.host_key(url)].append((key, url))
    results: dict[int, Outcome] = {key: Outcome(key=key, url=url) for key, url in items}
    lock = threading.Lock()

    def lane(host: str, client: httpx.Client) -> None:
        queue = by_host[host]
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    key, url = queue.popleft()
                if deadline is not None and time.monotonic() > deadline:
                    return
                # A lease just longer than one request: a worker killed mid-request must not
                # keep the host's slots (and so every other worker) away from it for long.
                # The interval runs from the moment the request goes out (see politeness.py).
                grant = wait_for_slot(
                    gate,
                    host,
                    interval=conf.interval,
                    limit=conf.limit,
                    max_wait=conf.max_wait,
                    lease=conf.timeout + 5,
                    hold=conf.timeout + 1,
                )
                if not grant.granted:
                    until = grant.deferred_until or time.time() + 15 * 60
                    _defer_rest(host, key, url, until)
                    return
                spacing = conf.interval + send_margin(conf.interval)
                marked: list[bool] = []

                def sent(host=host, token=grant.token, spacing=spacing, marked=marked) -> None:
                    marked.append(True)
                    gate.sent(host, token, interval=spacing)

                try:
                    outcome = check_one(url, client=client, conf=conf, key=key, on_sent=sent)
                finally:
                    if not marked:  # never sent (a bad URL, no connection): free the host
                        gate.sent(host, grant.token, interval=spacing)
                    gate.release(host, grant.token)
                results[key] = outcome
                if outcome.deferred_until is not None:
                    gate.defer(host, outcome.deferred_until)
                    _defer_rest(host, None, None, outcome.deferred_until)
                    return
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    def _defer_rest(host: str, key: int | None, url: str | None, until: float) -> None:
        with lock:
            pending = list(by_host[host])
            by_host[host].clear()
        if key is not None:
            pending.insert(0, (key, url or ""))
        for k, u in pending:
            results[k] = Outcome(key=k, url=u, deferred_until=until)

    lanes = [
        host
        for round_ in range(conf.limit)
        for host, queue in by_host.items()
        if len(queue) > round_
    ]
    if not lanes:
        return []
    with http.make_client(max_connections=max(10, conf.threads * 2)) as client:
        workers = max(1, min(conf.threads, len(lanes)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="linkcheck") as pool:
            futures = [pool.submit(lane, host, client) for host in lanes]
            for future in futures:
                future.result()
    return [results[key] for key, _ in items]
