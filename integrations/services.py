"""Integration writes: queue a message for a team's hooks, attempt one delivery, disable a hook
that keeps failing (and tell the team's managers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from curricula import jobs
from integrations.kinds import KINDS
from integrations.models import Delivery, Hook
from readlist import http
from readlist.celery import max_countdown
from teams.models import Membership, Team

DELIVERY_TIMEOUT = 10.0
# An attempt's lease: longer than the task's hard time limit (45 s), so a live attempt is never
# taken over; a worker that died mid-attempt frees it after that.
ATTEMPT_LEASE = timedelta(seconds=60)
# A retry may start this much before its backoff ends (workers' clocks differ a little).
CLOCK_GRACE = timedelta(seconds=5)
# Pending and unheld for this long: its task was never published (the broker was down) or lost.
STALE_AFTER = timedelta(minutes=5)
SENT, RETRY, FAILED, SKIPPED = "sent", "retry", "failed", "skipped"


def hooks_emit(
    event: str,
    *,
    team: Team,
    context: dict[str, Any],
    dedupe_key: str = "",
    hooks: list[Hook] | None = None,
) -> list[int]:
    """Queue `event` for every enabled hook of the team that wants it; returns delivery ids.

    The message text comes from templates/integrations/messages/<event>.txt; the payload (the
    webhook's `data`) is `context` as given, so it must be JSON. Each delivery is sent by a
    task after the transaction commits."""
    chosen = hooks if hooks is not None else list(team.hooks.filter(enabled=True))
    text = render_to_string(
        f"integrations/messages/{event}.txt",
        {**context, "team": team, "site_url": settings.SITE_URL.rstrip("/")},
    ).strip()
    ids = []
    for hook in chosen:
        if not hook.enabled or not hook.wants(event):
            continue
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    hook=hook, event=event, dedupe_key=dedupe_key, payload=context, text=text
                )
        except IntegrityError:
            continue  # already queued once for this hook (a second beat, a double click)
        ids.append(delivery.id)
        jobs.enqueue_on_commit("integrations.deliver", delivery.id)
    return ids


def _transient(result: http.FetchResult) -> bool:
    """Worth another try later: the network, a timeout, a busy or broken server."""
    if result.error:
        return result.network_failure or result.error in {"protocol"}
    return result.status is not None and (result.status == 429 or result.status >= 500)


def delivery_attempt(
    *, delivery_id: int, final: bool, backoff: int = 0, after_attempt: int | None = None
) -> str:
    """Send one delivery once. Returns "sent", "retry" (a transient failure and retries are
    left: the caller retries in `backoff` seconds), "failed" or "skipped" (gone, already done,
    claimed by another task, or its hook is disabled). A retry passes `after_attempt`, the
    attempt count it follows: it may take the delivery its own backoff still holds."""
    now = timezone.now()
    # The claim (as healthchecks' sendalerts does): one conditional UPDATE that also counts the
    # attempt, so of two tasks for the same delivery (a re-queue by the sweep, a broker
    # redelivery) only one sends it.
    free = Q(held_until__isnull=True) | Q(held_until__lte=now + CLOCK_GRACE)
    if after_attempt is not None:
        free |= Q(attempts=after_attempt)
    claimed = Delivery.objects.filter(free, id=delivery_id, status=Delivery.Status.PENDING).update(
        held_until=now + ATTEMPT_LEASE, attempts=F("attempts") + 1
    )
    if not claimed:
        return SKIPPED
    delivery = Delivery.objects.select_related("hook__team").get(id=delivery_id)
    hook = delivery.hook
    if not hook.enabled:
        Delivery.objects.filter(id=delivery.id).update(
            status=Delivery.Status.FAILED, error="the hook was disabled", held_until=None
        )
        return SKIPPED
    outgoing = KINDS[hook.kind].build(hook, delivery)
    with http.make_client(max_connections=1, connect_timeout=5.0) as client:
        result = http.fetch(
            outgoing.url or hook.url,
            client=client,
            method=outgoing.method,
            content=outgoing.body,
            headers=outgoing.headers,
            max_redirects=0,
            max_bytes=4096,
            total_timeout=DELIVERY_TIMEOUT,
            connect_timeout=5.0,
        )
    now = timezone.now()
    ok = not result.error and result.status is not None and 200 <= result.status < 300
    delivery.last_attempt_at = now
    delivery.response_status = result.status
    if ok:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.error = ""
        delivery.held_until = None
        delivery.save()
        Hook.objects.filter(id=hook.id).update(failures=0)
        return SENT
    if result.error:
        delivery.error = f"{result.error}: {result.error_detail}"[:2000]
    else:
        snippet = result.text[:300].replace("\x00", "")
        delivery.error = f"HTTP {result.status}: {snippet}"
    if _transient(result) and not final:
        # Held through the backoff, so the sweep leaves it to its own retry.
        delivery.held_until = now + timedelta(seconds=backoff)
        delivery.save()
        return RETRY
    delivery.status = Delivery.Status.FAILED
    delivery.held_until = None
    delivery.save()
    _count_failure(hook)
    return FAILED


def deliveries_requeue_stale() -> int:
    """Queue again each delivery left pending and unheld for STALE_AFTER: its task was never
    published (the broker was down when it was queued or retried) or was lost. Sending twice is
    impossible: the task claims the delivery first, and a sent one is no longer pending."""
    now = timezone.now()
    stale = now - STALE_AFTER
    ids = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, created_at__lt=stale)
        .filter(Q(held_until__isnull=True) | Q(held_until__lt=stale))
        .order_by("id")
        .values_list("id", flat=True)
    )
    for delivery_id in ids:
        jobs.enqueue_on_commit("integrations.deliver", delivery_id)
    return len(ids)


def _count_failure(hook: Hook) -> None:
    Hook.objects.filter(id=hook.id).update(failures=F("failures") + 1)
    hook.refresh_from_db(fields=["failures", "enabled"])
    if hook.enabled and hook.failures >= settings.READLIST_HOOK_MAX_FAILURES:
        hook_disable(hook=hook, reason=f"{hook.failures} deliveries in a row failed")


def hook_disable(*, hook: Hook, reason: str) -> bool:
    """Turn a failing hook off (one conditional UPDATE: once) and mail the team's managers."""
    now = timezone.now()
    if not Hook.objects.filter(id=hook.id, enabled=True).update(
        enabled=False, disabled_at=now, disabled_reason=reason[:2000]
    ):
        return False
    hook.refresh_from_db()
    last = hook.deliveries.exclude(error="").order_by("-id").first()
    recipients = list(
        Membership.objects.filter(
            team_id=hook.team_id, role=Membership.Role.MANAGER, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if recipients:
        context = {
            "hook": hook,
            "team": hook.team,
            "reason": reason,
            "last_error": last.error if last else "",
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = render_to_string("integrations/email/hook_disabled_subject.txt", context)
        send_mail(
            subject=" ".join(subject.split()),
            message=render_to_string("integrations/email/hook_disabled.txt", context),
            from_email=None,
            recipient_list=recipients,
            html_message=render_to_string("integrations/email/hook_disabled.html", context),
        )
    return True


def retry_countdown(retries: int) -> int:
    """30 s, 1, 2, 4, 8 minutes…, capped below the broker's visibility timeout."""
    return int(min(max_countdown(), timedelta(seconds=30 * 2**retries).total_seconds()))
