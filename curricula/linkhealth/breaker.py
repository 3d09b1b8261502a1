"""The outage breaker: is the checker itself cut off from the web? Then a run judges nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings

from curricula.linkhealth.checker import Outcome
from readlist import http

CANARY_TIMEOUT = 8.0


@dataclass
class Verdict:
    online: bool
    detail: str


def canaries_reachable(
    canaries: list[str] | None = None, *, timeout: float = CANARY_TIMEOUT
) -> Verdict:
    """Online when at least one canary gives any HTTP answer; no canaries configured counts as
    online (the share of network failures still guards the run)."""
    urls = list(settings.READLIST_LINKCHECK_CANARIES if canaries is None else canaries)
    if not urls:
        return Verdict(True, "no canaries configured")
    with http.make_client(max_connections=len(urls)) as client:

        def probe(url: str) -> http.FetchResult:
            return http.fetch(
                url,
                client=client,
                max_bytes=1024,
                total_timeout=timeout,
                connect_timeout=min(timeout, http.CONNECT_TIMEOUT),
            )

        with ThreadPoolExecutor(max_workers=len(urls)) as pool:
            results = list(pool.map(probe, urls))
    answered = [r for r in results if not r.network_failure and r.error != "refused"]
    if answered:
        return Verdict(True, f"{len(answered)}/{len(results)} canaries answered")
    reasons = "; ".join(f"{r.url}: {r.error} {r.error_detail}"[:200] for r in results)
    return Verdict(False, f"no canary answered ({reasons})")


def run_verdict(outcomes: list[Outcome]) -> Verdict:
    """Inconclusive when most of a run's checks failed at network level at once."""
    checked = [o for o in outcomes if o.checked]
    failures = [o for o in checked if o.network_failure]
    minimum = settings.READLIST_LINKCHECK_OFFLINE_MIN
    share = len(failures) / len(checked) if checked else 0.0
    if len(checked) >= minimum and share >= settings.READLIST_LINKCHECK_OFFLINE_SHARE:
        return Verdict(
            False, f"{len(failures)} of {len(checked)} checks failed at network level ({share:.0%})"
        )
    return Verdict(True, f"{len(failures)} of {len(checked)} checks failed at network level")
