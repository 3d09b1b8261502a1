"""Celery tasks for outgoing hooks: each delivery is a task (retried with backoff); beat sends
the weekly team summary."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from curricula import jobs
from integrations import events, services, summaries
from integrations.models import Delivery
from readlist.enqueue import publish


@shared_task(bind=True, soft_time_limit=30, time_limit=45, max_retries=5)
def deliver(self, delivery_id: int, after_attempt: int | None = None) -> str:
    final = self.request.retries >= (self.max_retries or 0)
    backoff = services.retry_countdown(self.request.retries)
    outcome = services.delivery_attempt(
        delivery_id=delivery_id, final=final, backoff=backoff, after_attempt=after_attempt
    )
    if outcome == services.RETRY:
        attempts = Delivery.objects.values_list("attempts", flat=True).get(id=delivery_id)
        raise self.retry(args=[delivery_id, attempts], countdown=backoff)
    return outcome


@shared_task(soft_time_limit=120, time_limit=150)
def send_weekly_summaries(period: str | None = None) -> dict:
    """Beat, weekly: one summary per team that has a hook for it (once per hook per week)."""
    day = dt.date.fromisoformat(period) if period else timezone.localdate()
    week = day - dt.timedelta(days=day.weekday())
    return {"queued": summaries.weekly_summaries_emit(week=week)}


@shared_task(soft_time_limit=240, time_limit=300)
def emit_events() -> dict:
    """Beat, every 15 minutes: newly broken links, wrong papers flagged, members who finished or
    fell behind; and deliveries left pending (their publish failed) are queued again."""
    return events.events_emit()


# A broker outage while queueing leaves the delivery "pending" in the log rather than failing
# the caller's request; the 15-minute scan queues it again (services.deliveries_requeue_stale).
jobs.register("integrations.deliver", lambda delivery_id: publish(deliver, delivery_id))
