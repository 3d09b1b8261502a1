"""Celery tasks for link health and arXiv metadata: they take ids, re-fetch, and call services."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from curricula import jobs
from curricula.archive import resources_find_archives, resources_find_replacements
from curricula.arxiv.changes import paper_changes_digest_send
from curricula.arxiv.client import ArxivClient, ArxivUnavailable, NetworkAbsent
from curricula.arxiv.services import arxiv_fetch
from curricula.linkhealth import selectors, services
from curricula.models import Resource
from curricula.verdicts.pdf import resources_read_pdf_titles
from curricula.verify import titles_verify
from readlist.celery import max_countdown
from readlist.enqueue import publish

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    soft_time_limit=540,
    time_limit=600,
    max_retries=3,
    autoretry_for=(ConnectionError, OperationalError, RedisConnectionError),
    retry_backoff=60,
    retry_jitter=True,
)
def check_links(self, resource_ids: list[int], trigger: str = "task") -> dict:
    """Check these resources (gone ones are skipped) and verify page titles of non-arXiv ones."""
    resources = Resource.objects.filter(id__in=resource_ids)
    if trigger == "schedule":
        # Queued by beat a while ago: skip what another run has checked since.
        now = timezone.now()
        resources = resources.filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=now))
    existing = list(resources.values_list("id", flat=True))
    if not existing:
        return {"checked": 0}
    # A worker killed mid-run leaves the message unacknowledged; the broker hands it out again
    # after the visibility timeout (settings) with the same task id, and the run carries on.
    lease = timedelta(seconds=(self.time_limit or settings.CELERY_TASK_TIME_LIMIT) + 60)
    run = services.linkcheck_run(
        resource_ids=existing,
        trigger=trigger,
        time_budget=480,
        task_id=self.request.id or "",
        lease=lease,
    )
    if not run.inconclusive:
        pages = list(
            Resource.objects.filter(id__in=existing, arxiv_id="").values_list("id", flat=True)
        )
        if pages:
            with ArxivClient() as client:
                titles_verify(resource_ids=pages, client=client, max_searches=10)
    return {"run": run.id, "inconclusive": run.inconclusive, **run.counts}


@shared_task(soft_time_limit=60, time_limit=90)
def check_due_links() -> dict:
    """Beat: a bounded batch of the stalest due resources (healthy weekly, suspect daily); first
    close the runs a dead worker left "running"."""
    services.checkruns_close_orphans()
    ids = selectors.resources_due(limit=settings.READLIST_LINKCHECK_BATCH)
    if ids:
        check_links.delay(ids, "schedule")
    return {"queued": len(ids)}


@shared_task(
    bind=True,
    soft_time_limit=540,
    time_limit=600,
    max_retries=5,
)
def fetch_arxiv(self, resource_ids: list[int], due_only: bool = False) -> dict:
    """Fetch arXiv metadata and verify titles; arXiv trouble retries the task with backoff."""
    resources = Resource.objects.filter(id__in=resource_ids).exclude(arxiv_id="")
    if due_only:
        week_ago = timezone.now() - timedelta(days=7)
        resources = resources.filter(
            Q(metadata_fetched_at__isnull=True) | Q(metadata_fetched_at__lt=week_ago)
        )
    existing = list(resources.values_list("id", flat=True))
    if not existing:
        return {"found": 0}
    try:
        counts = arxiv_fetch(resource_ids=existing)
        if counts.get("mostly_empty"):
            raise ArxivUnavailable(f"mostly empty answers: {counts['unanswered']} unanswered")
        return counts
    except NetworkAbsent as exc:
        # Offline: no quick retries (they only flooded the log); fetch_due_arxiv's next
        # scheduled run picks these resources up again, since they are still due.
        log.warning("arXiv: %s; %d resource(s) wait for the next scheduled run", exc, len(existing))
        return {"postponed": len(existing)}
    except ArxivUnavailable as exc:
        log.warning("arXiv unavailable: %s", exc)
        countdown = min(max_countdown(), 60 * 2**self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(soft_time_limit=60, time_limit=90)
def fetch_due_arxiv() -> dict:
    """Beat: arXiv resources never fetched or older than a week, in batches of 100 ids."""
    ids = selectors.arxiv_due(limit=settings.READLIST_ARXIV_BATCH * 3)
    for start in range(0, len(ids), settings.READLIST_ARXIV_BATCH):
        fetch_arxiv.delay(ids[start : start + settings.READLIST_ARXIV_BATCH], True)
    return {"queued": len(ids)}


@shared_task(soft_time_limit=120, time_limit=150)
def send_broken_digest() -> dict:
    return {"sent_for": services.linkcheck_digest_send()}


@shared_task(soft_time_limit=120, time_limit=150)
def send_paper_changes_digest() -> dict:
    """Beat, weekly: papers withdrawn, retitled or published since they were listed."""
    return {"sent_for": paper_changes_digest_send()}


@shared_task(soft_time_limit=300, time_limit=330)
def find_archives() -> dict:
    """Beat, daily: the Wayback Machine's last good snapshot of each confirmed-broken link, and
    arXiv candidates to replace a confirmed-broken paper link with."""
    counts: dict = resources_find_archives()
    with ArxivClient() as client:
        counts["replacements"] = resources_find_replacements(client=client)
    return counts


@shared_task(soft_time_limit=300, time_limit=330)
def verify_pdf_titles() -> dict:
    """Beat, nightly: read healthy PDF links' own titles and judge their labels against them."""
    ids = resources_read_pdf_titles()
    if ids:
        titles_verify(resource_ids=ids, client=None, search=False)
    return {"titled": len(ids)}


# A broker outage does not fail the caller's request: see readlist/enqueue.py.
jobs.register("check_links", partial(publish, check_links))
jobs.register("fetch_arxiv", partial(publish, fetch_arxiv))


@shared_task(soft_time_limit=300, time_limit=330)
def check_curriculum_sources() -> dict:
    """Fetch each curriculum's source URL; a changed list is prepared for an admin, never
    applied (curricula/sync.py)."""
    from curricula.sync import check_all_sources

    outcomes = check_all_sources()
    return {o.curriculum: o.outcome for o in outcomes}
