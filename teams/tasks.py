"""Celery tasks for the weekly digests: beat fans out one task per person; each takes an id."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from curricula import jobs
from readlist.enqueue import publish
from teams import digests, discussion, nudges

# Per-person sends retry on a broken mail connection (each send claims its row first, so a retry
# never sends twice).
_SEND_RETRY = {
    "autoretry_for": (ConnectionError, OSError),
    "max_retries": 3,
    "retry_backoff": 120,
    "retry_jitter": True,
}


def _user(user_id: int):
    return get_user_model().objects.filter(pk=user_id).first()


def _period(period: str | None) -> dt.date:
    if period:
        return dt.date.fromisoformat(period)
    return digests.period_for(timezone.localdate())


@shared_task(soft_time_limit=60, time_limit=90)
def send_weekly_digests(period: str | None = None) -> dict:
    """Beat, weekly: queue a member digest per enrolled person and a manager digest per manager.

    Safe to run twice: each per-person task claims its (user, kind, week) row before sending.
    """
    day = _period(period).isoformat()
    members, managers = digests.digest_recipients()
    for user_id in members:
        send_member_digest.delay(user_id, day)
    for user_id in managers:
        send_manager_digest.delay(user_id, day)
    return {"members": len(members), "managers": len(managers)}


@shared_task(soft_time_limit=60, time_limit=90, **_SEND_RETRY)
def send_member_digest(user_id: int, period: str | None = None) -> bool:
    user = _user(user_id)
    if user is None:
        return False
    return digests.member_digest_send(user=user, period=_period(period))


@shared_task(soft_time_limit=120, time_limit=150, **_SEND_RETRY)
def send_manager_digest(user_id: int, period: str | None = None) -> bool:
    user = _user(user_id)
    if user is None:
        return False
    return digests.manager_digest_send(user=user, period=_period(period))


@shared_task(soft_time_limit=60, time_limit=90)
def send_deadline_nudges(day: str | None = None) -> int:
    """Beat, daily: queue a nudge check per person with an assignment (each sends at most one
    nudge a week, and only when they are behind or a due date is near)."""
    today = day or timezone.localdate().isoformat()
    recipients = nudges.nudge_recipients()
    for user_id in recipients:
        send_deadline_nudge.delay(user_id, today)
    return len(recipients)


@shared_task(soft_time_limit=60, time_limit=90, **_SEND_RETRY)
def send_deadline_nudge(user_id: int, day: str) -> bool:
    user = _user(user_id)
    if user is None:
        return False
    return nudges.nudge_send(user=user, today=dt.date.fromisoformat(day))


@shared_task(soft_time_limit=60, time_limit=90, **_SEND_RETRY)
def send_comment_notices(comment_id: int) -> int:
    """Mail the teammates a comment mentions and the note's writer (each once: the notice rows
    are claimed before sending, so a retry sends only what is left)."""
    return discussion.comment_notices_send(comment_id=comment_id)


@shared_task(soft_time_limit=60, time_limit=90)
def requeue_comment_notices() -> int:
    """Beat, every 5 minutes: queue again the mails of comments whose task was never published
    (or was lost); each notice is still sent once (discussion.comment_notices_requeue_stale)."""
    return len(discussion.comment_notices_requeue_stale())


# A broker outage while queueing costs the mails, never the comment (it is committed already):
# the notices stay unsent, and requeue_comment_notices queues them again once the broker is back.
jobs.register("teams.comment_notices", lambda comment_id: publish(send_comment_notices, comment_id))
