"""Comment mails whose task was never queued (a broker outage) are queued again by a periodic
sweep: sent once, and only once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import TestCase

from teams import discussion, tasks
from teams.models import CommentNotice

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def lost_comment(team, author, note, body):
    """A comment whose mail task was never published (the on-commit enqueue is dropped)."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        comment, _ = discussion.comment_post(actor=author, team=team, note=note, body=body)
    return comment


def test_a_notice_lost_to_a_broker_outage_is_sent_once_and_only_once(team, alice, bob, note, eager):
    with time_machine.travel(NOW, tick=False):
        lost_comment(team, bob, note, "@alice have a look")
    assert mail.outbox == [] and CommentNotice.objects.get().sent_at is None

    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False), eager(execute=True):
        # Too fresh: its own task may still be on its way.
        assert tasks.requeue_comment_notices() == 0
    assert mail.outbox == []

    with time_machine.travel(NOW + dt.timedelta(minutes=6), tick=False), eager(execute=True):
        assert tasks.requeue_comment_notices() == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert CommentNotice.objects.get().sent_at == NOW + dt.timedelta(minutes=6)

    for minutes in (12, 18, 60 * 24):
        later = time_machine.travel(NOW + dt.timedelta(minutes=minutes), tick=False)
        with later, eager(execute=True):
            assert tasks.requeue_comment_notices() == 0
    assert len(mail.outbox) == 1


def test_a_notice_claimed_by_a_running_send_is_not_queued_again(team, alice, bob, note, eager):
    with time_machine.travel(NOW, tick=False):
        comment = lost_comment(team, bob, note, "@alice claimed")
    # A worker has claimed it (sent_at is the claim, set before the mail goes).
    CommentNotice.objects.filter(comment=comment).update(sent_at=NOW)
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False), eager(execute=True):
        assert tasks.requeue_comment_notices() == 0
    assert mail.outbox == []


def test_skipped_notices_are_not_queued_again(team, alice, bob, note, eager):
    with time_machine.travel(NOW, tick=False):
        comment = lost_comment(team, bob, note, "@alice opted out")
    CommentNotice.objects.filter(comment=comment).update(skipped="opted out")
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False), eager(execute=True):
        assert tasks.requeue_comment_notices() == 0


def test_an_edit_that_mentions_someone_new_waits_from_the_edit(team, alice, bob, manager, note):
    with time_machine.travel(NOW, tick=False):
        comment = lost_comment(team, bob, note, "@alice first")
    CommentNotice.objects.update(sent_at=NOW)
    edited = time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
    with edited, TestCase.captureOnCommitCallbacks(execute=False):
        discussion.comment_edit(actor=bob, comment=comment, body="@alice first, @boss too")
    with time_machine.travel(NOW + dt.timedelta(hours=1, minutes=2), tick=False):
        assert discussion.comment_notices_requeue_stale() == []
    with time_machine.travel(NOW + dt.timedelta(hours=1, minutes=6), tick=False):
        assert discussion.comment_notices_requeue_stale() == [comment.pk]


def test_each_sweep_queues_a_bounded_batch_oldest_first(team, alice, bob, note, monkeypatch):
    monkeypatch.setattr(discussion, "NOTICE_SWEEP_MAX", 2)
    with time_machine.travel(NOW, tick=False):
        ids = [lost_comment(team, bob, note, f"@alice number {i}").pk for i in range(3)]
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        assert discussion.comment_notices_requeue_stale() == ids[:2]


def test_a_mail_that_keeps_failing_is_given_up_after_two_days(team, alice, bob, note):
    with time_machine.travel(NOW, tick=False):
        comment = lost_comment(team, bob, note, "@alice never delivered")
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert discussion.comment_notices_requeue_stale() == [comment.pk]
    with time_machine.travel(NOW + dt.timedelta(days=2, minutes=1), tick=False):
        assert discussion.comment_notices_requeue_stale() == []
    notice = CommentNotice.objects.get(comment=comment)
    assert notice.sent_at is None and notice.skipped == discussion.NOTICE_GIVEN_UP


def test_beat_runs_the_sweep_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["teams-comment-notices-sweep"]
    assert entry["task"] == "teams.tasks.requeue_comment_notices"
    assert entry["schedule"] <= 10 * 60
