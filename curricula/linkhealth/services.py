"""Link-health writes: claim resources, run a check, apply the 3-strikes rule, send the digest."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from curricula import jobs
from curricula.linkhealth import breaker, checker, selectors
from curricula.linkhealth.politeness import get_gate
from curricula.models import CheckRun, LinkCheck, Resource

Health = Resource.Health
HEALTHY_RECHECK = timedelta(days=7)
SUSPECT_RECHECK = timedelta(days=1)
CLAIM_LEASE = timedelta(minutes=15)


def resources_created(ids: Iterable[int]) -> None:
    """Check and fetch new resources right after the transaction that made them commits."""
    id_list = sorted(set(ids))
    if not id_list or not settings.READLIST_ENQUEUE_NEW_RESOURCES:
        return
    # With the broker down the import still succeeds (the jobs publish through
    # readlist.enqueue): new resources are never checked and never fetched, so the scheduled
    # stale-first passes take them first once it is back.
    jobs.enqueue_on_commit("check_links", id_list, "new")
    jobs.enqueue_on_commit("fetch_arxiv", id_list)


def resources_make_due(ids: Iterable[int]) -> int:
    """Bring these resources' next check forward to now, so the next scheduled pass takes them.

    Used when "Check links now" cannot reach the broker: the request is kept as due-ness."""
    now = timezone.now()
    return Resource.objects.filter(id__in=list(ids), next_check_at__gt=now).update(
        next_check_at=now
    )


def resources_claim(
    ids: Iterable[int], *, field: str, lease: timedelta = CLAIM_LEASE, token: str = ""
) -> tuple[str, list[int]]:
    """Claim resources for this worker with one conditional UPDATE; returns the ids it got.

    `field` is "check" or "fetch". Like healthchecks' sendalerts: whoever's UPDATE matched the
    row owns it until the lease runs out, so two workers never do the same job. A `token` of
    one's own (a run's) also takes back what an earlier attempt of the same run still holds."""
    token = token or uuid.uuid4().hex
    now = timezone.now()
    free = (
        Q(**{f"{field}_claimed_until__isnull": True})
        | Q(**{f"{field}_claimed_until__lt": now})
        | Q(**{f"{field}_claim": token})
    )
    Resource.objects.filter(free, id__in=list(ids)).update(
        **{f"{field}_claim": token, f"{field}_claimed_until": now + lease}
    )
    claimed = list(
        Resource.objects.filter(**{f"{field}_claim": token}).values_list("id", flat=True)
    )
    return token, claimed


def resources_release(token: str, *, field: str) -> None:
    Resource.objects.filter(**{f"{field}_claim": token}).update(
        **{f"{field}_claim": "", f"{field}_claimed_until": None}
    )


def _run_claim_token(run: CheckRun) -> str:
    return f"run-{run.id}"


def checkruns_close_orphans() -> int:
    """Close runs still "running" past their lease: their worker died (kill -9, OOM, a lost
    machine) or hit its hard time limit. They end as aborted and inconclusive, and give back
    the links they held. Returns how many were closed."""
    now = timezone.now()
    orphans = list(
        CheckRun.objects.filter(finished_at__isnull=True, lease_until__lt=now).values_list(
            "id", flat=True
        )
    )
    closed = CheckRun.objects.filter(id__in=orphans, finished_at__isnull=True).update(
        finished_at=now,
        inconclusive=True,
        note="Aborted: the worker stopped before the run finished (killed or out of time).",
    )
    for run_id in orphans:
        resources_release(f"run-{run_id}", field="check")
    return closed


def _start_run(*, trigger: str, task_id: str, lease: timedelta) -> tuple[CheckRun, set[int]]:
    """The run for this task: a new one, or (the task was delivered again after its worker
    died) the one it started before, with the ids it already recorded."""
    lease_until = timezone.now() + lease
    if task_id:
        run = CheckRun.objects.filter(task_id=task_id).order_by("id").first()
        if run is not None:
            run.finished_at = None
            run.lease_until = lease_until
            run.save(update_fields=["finished_at", "lease_until"])
            done = set(LinkCheck.objects.filter(run=run).values_list("resource_id", flat=True))
            return run, done
    run = CheckRun.objects.create(trigger=trigger[:20], task_id=task_id, lease_until=lease_until)
    return run, set()


def linkcheck_run(
    *,
    resource_ids: Iterable[int],
    trigger: str = "schedule",
    canaries: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    time_budget: float | None = None,
    task_id: str = "",
    lease: timedelta = CLAIM_LEASE,
    **conf_overrides,
) -> CheckRun:
    """Check the given resources (those another worker holds are skipped) and record the run.

    Canaries first: when the checker cannot reach the web, or most checks fail at network level,
    the run is inconclusive and no resource changes state.

    With `task_id`, a task delivered a second time carries on its first run and skips the links
    that run already recorded; `lease` bounds how long the run may look alive without finishing
    (see checkruns_close_orphans)."""
    checkruns_close_orphans()
    run, done = _start_run(trigger=trigger, task_id=task_id, lease=lease)
    ids = [i for i in resource_ids if i not in done]
    token, claimed = resources_claim(ids, field="check", token=_run_claim_token(run))
    try:
        verdict = breaker.canaries_reachable(canaries)
        if not verdict.online:
            return _finish(
                run,
                inconclusive=True,
                note=f"Checker offline: {verdict.detail}",
                counts={"claimed": len(claimed)},
            )
        resources = list(Resource.objects.filter(id__in=claimed).only("id", "url"))
        items = [(r.id, r.url) for r in resources]
        conf = checker.CheckSettings.from_settings(**conf_overrides)
        deadline = time.monotonic() + time_budget if time_budget else None
        outcomes = _check_in_chunks(
            items, conf=conf, deadline=deadline, progress=progress, run=run, lease=lease
        )
        verdict = breaker.run_verdict(outcomes)
        counts = Counter(
            o.outcome or ("deferred" if o.deferred_until else "unchecked") for o in outcomes
        )
        if done:
            counts.update(LinkCheck.objects.filter(run=run).values_list("outcome", flat=True))
        if not verdict.online:
            return _finish(
                run,
                inconclusive=True,
                note=f"Checker offline: {verdict.detail}",
                counts=dict(counts),
            )
        newly_broken = linkcheck_record(run, outcomes)
        counts["newly_broken"] = newly_broken
        return _finish(run, inconclusive=False, note=verdict.detail, counts=dict(counts))
    except BaseException as exc:
        # A soft time limit, a lost database: say so now rather than leave the run "running".
        if run.finished_at is None:
            with contextlib.suppress(Exception):
                _finish(
                    run, inconclusive=True, note=f"Aborted: {type(exc).__name__}: {exc}", counts={}
                )
        raise
    finally:
        resources_release(token, field="check")


def _check_in_chunks(items, *, conf, deadline, progress, run, lease) -> list[checker.Outcome]:
    # One chunk per call of check_many keeps the progress bar moving on long runs; each chunk
    # renews the run's lease, so a long command-line run is not taken for an orphan.
    gate = get_gate()
    chunk = max(len(items), 1) if progress is None else max(50, conf.threads * 2)
    outcomes: list[checker.Outcome] = []
    for start in range(0, len(items), chunk):
        outcomes += checker.check_many(
            items[start : start + chunk], gate=gate, conf=conf, deadline=deadline
        )
        CheckRun.objects.filter(id=run.id, finished_at__isnull=True).update(
            lease_until=timezone.now() + lease
        )
        if progress:
            progress(len(outcomes), len(items))
    return outcomes


def _finish(run: CheckRun, *, inconclusive: bool, note: str, counts: dict) -> CheckRun:
    run.finished_at = timezone.now()
    run.inconclusive = inconclusive
    run.note = note[:4000]
    run.counts = counts
    run.lease_until = None
    run.save(update_fields=["finished_at", "inconclusive", "note", "counts", "lease_until"])
    return run


# Evidence that the page is gone: a 404/410, or a redirect to the front page or a login, or a
# page that says it is not found. Either settles only after repeated checks over days.
DEAD = (Health.BROKEN, Health.SOFT_404)
# What a timeout, a 5xx or a rate limit records: no evidence once, the link's state when it
# is all the checks have said for days.
TROUBLE = (Health.ERROR, Health.BLOCKED)


def _streak_complete(resource_id: int, latest_at: datetime, outcomes: tuple[str, ...]) -> bool:
    """The last READLIST_LINKCHECK_BROKEN_STRIKES checks all had one of `outcomes`, over at
    least READLIST_LINKCHECK_BROKEN_SPAN_HOURS."""
    strikes = settings.READLIST_LINKCHECK_BROKEN_STRIKES
    recent = list(
        LinkCheck.objects.filter(resource_id=resource_id)
        .order_by("-checked_at", "-id")
        .values_list("outcome", "checked_at")[:strikes]
    )
    if len(recent) < strikes or any(outcome not in outcomes for outcome, _ in recent):
        return False
    span = latest_at - recent[-1][1]
    return span >= timedelta(hours=settings.READLIST_LINKCHECK_BROKEN_SPAN_HOURS)


def _inconclusive(out: checker.Outcome) -> bool:
    """A result that says nothing about the link itself: a timeout, a 5xx, a rate limit."""
    return out.outcome == Health.ERROR or (out.outcome == Health.BLOCKED and out.status == 429)


@transaction.atomic
def linkcheck_record(run: CheckRun | None, outcomes: list[checker.Outcome]) -> int:
    """Store each result and move each resource's health; returns how many became broken.

    A link this run already recorded (its task was delivered twice) is not recorded again."""
    now = timezone.now()
    by_id = {r.id: r for r in Resource.objects.filter(id__in=[o.key for o in outcomes])}
    if run is not None:
        for resource_id in LinkCheck.objects.filter(
            run=run, resource_id__in=list(by_id)
        ).values_list("resource_id", flat=True):
            by_id.pop(resource_id, None)
    newly_broken = 0
    for out in outcomes:
        resource = by_id.get(out.key)
        if resource is None:
            continue
        if not out.checked:
            if out.deferred_until:
                resource.next_check_at = datetime.fromtimestamp(out.deferred_until, tz=UTC)
                resource.save(update_fields=["next_check_at"])
            continue
        LinkCheck.objects.create(
            resource=resource,
            run=run,
            outcome=out.outcome,
            status_code=out.status,
            final_url=out.final_url[:2000],
            elapsed_ms=out.elapsed_ms,
            error=out.error,
            page_title=out.page_title,
        )
        before = resource.health
        after = _next_health(resource, out, now)
        resource.last_checked_at = now
        if out.page_title:
            # The page was read: its description goes with its title, even when it has none now.
            resource.page_title = out.page_title
            resource.page_description = out.page_description
        if out.outcome == Health.MOVED or after != Health.MOVED:
            resource.moved_to = out.moved_to if after == Health.MOVED else ""
        suspect = out.outcome == Health.BROKEN or after != Health.OK
        resource.next_check_at = now + (SUSPECT_RECHECK if suspect else HEALTHY_RECHECK)
        if out.deferred_until:
            resource.next_check_at = datetime.fromtimestamp(out.deferred_until, tz=UTC)
        if after != before:
            resource.health = after
            resource.health_changed_at = now
            # A resource that leaves or (re-)enters "broken" is news for the next digest.
            resource.broken_notified_at = None
            newly_broken += after == Health.BROKEN
        resource.save(
            update_fields=[
                "health",
                "health_changed_at",
                "last_checked_at",
                "next_check_at",
                "page_title",
                "page_description",
                "moved_to",
                "broken_notified_at",
            ]
        )
    return newly_broken


def _next_health(resource: Resource, out: checker.Outcome, now: datetime) -> str:
    if out.outcome in DEAD:
        if _streak_complete(resource.id, now, DEAD):
            return out.outcome
        # Not yet: one or two such results may be a passing outage or maintenance of the site.
        return resource.health if resource.health != Health.UNKNOWN else Health.ERROR
    if _inconclusive(out) and resource.health not in (Health.UNKNOWN, Health.ERROR):
        # A timeout says nothing about whether the known state changed; days of nothing else
        # say a working link no longer works (a dead one stays dead: it has not come back).
        if resource.health not in DEAD and _streak_complete(resource.id, now, TROUBLE):
            return out.outcome
        return resource.health
    return out.outcome


def linkcheck_digest_send() -> int:
    """Mail admins the links that became broken since the last digest; each link once."""
    # A resource only retired entries list is not news: nobody is sent to it any more.
    candidates = list(
        selectors.in_use(Resource.objects.filter(health=Health.BROKEN))
        .filter(broken_notified_at__isnull=True)
        .values_list("id", flat=True)[:500]
    )
    if not candidates:
        return 0
    stamp = timezone.now()
    # The conditional UPDATE is the claim: a second digest task running now finds nothing.
    Resource.objects.filter(id__in=candidates, broken_notified_at__isnull=True).update(
        broken_notified_at=stamp
    )
    resources = list(
        Resource.objects.filter(id__in=candidates, broken_notified_at=stamp)
        .prefetch_related("entries__curriculum")
        .order_by("url")
    )
    recipients = list(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not resources or not recipients:
        return 0
    context = {
        "resources": resources,
        "site_url": settings.SITE_URL.rstrip("/"),
        "offline_since": selectors.checker_offline_since(),
    }
    subject = render_to_string("curricula/email/broken_digest_subject.txt", context).strip()
    send_mail(
        subject=" ".join(subject.split()),
        message=render_to_string("curricula/email/broken_digest.txt", context),
        from_email=None,
        recipient_list=recipients,
        html_message=render_to_string("curricula/email/broken_digest.html", context),
    )
    return len(resources)


def resource_accept_move(*, actor, resource: Resource) -> bool:
    """Admin accepted a "moved" link's new URL: the resource now points there."""
    from curricula.canonical import InvalidURL, canonicalize

    if not resource.moved_to:
        return False
    try:
        canonical = canonicalize(resource.moved_to)
    except InvalidURL:
        return False
    if Resource.objects.filter(url=canonical.url).exclude(id=resource.id).exists():
        return False  # the new URL is already its own resource: move the entries instead
    resource.url = canonical.url
    resource.moved_to = ""
    resource.health = Health.UNKNOWN
    resource.next_check_at = None
    resource.save(update_fields=["url", "moved_to", "health", "next_check_at"])
    return True
