"""Slack incoming webhooks, played by a local server: the message, Slack's errors, slowness."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import time_machine
from werkzeug.wrappers import Response

from integrations import services
from integrations.models import Delivery, Hook
from integrations.summaries import weekly_summaries_emit
from integrations.tasks import deliver
from readlist.celery import max_countdown
from teams.models import Assignment
from tests import factories


@pytest.fixture
def fast_delivery(monkeypatch):
    # Retries run at once in eager mode; keep slow answers short.
    monkeypatch.setattr(services, "DELIVERY_TIMEOUT", 1.0)


@time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC))
def test_weekly_summary_reaches_slack_with_counts_and_no_names(
    make_hook, httpserver, team, member, settings
):
    curriculum = factories.make_curriculum_with_entries(4, tiers=1)
    Assignment.objects.create(
        curriculum=curriculum,
        team=team,
        start_date=dt.date(2026, 11, 1),
        due_date=dt.date(2026, 12, 31),
    )
    make_hook("slack")
    posted: list = []

    def slack(request):
        posted.append(json.loads(request.get_data()))
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(slack)
    ids = weekly_summaries_emit(week=dt.date(2026, 11, 30))
    assert ids == 1
    delivery = Delivery.objects.get()
    assert deliver.apply(args=[delivery.id]).get() == "sent"
    text = posted[0]["text"]
    assert "Readlist weekly summary for Research (week of 2026-11-30)" in text
    assert "2 people, 1 assigned reading list " in text
    # Nothing done since the start four weeks ago: both are stalled.
    assert "• Stalled: 2" in text
    assert f"/{team.slug}/" in text
    assert member.username not in text  # a shared channel gets counts, never names


def test_the_weekly_summary_goes_once_per_hook_per_week(make_hook, team):
    make_hook("slack")
    assert weekly_summaries_emit(week=dt.date(2026, 11, 30)) == 1
    assert weekly_summaries_emit(week=dt.date(2026, 11, 30)) == 0  # beat ran twice
    assert weekly_summaries_emit(week=dt.date(2026, 12, 7)) == 1
    assert Delivery.objects.count() == 2


def test_hooks_not_asking_for_an_event_get_nothing(make_hook, team):
    make_hook("slack", events=[])
    assert services.hooks_emit(Hook.Event.WEEKLY_SUMMARY, team=team, context={}) == []


def test_slack_error_is_logged_and_not_retried(make_hook, httpserver, team):
    make_hook("slack")
    httpserver.expect_request("/hook").respond_with_data("no_service", status=404)
    [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={})
    assert deliver.apply(args=[delivery_id]).get() == "failed"
    delivery = Delivery.objects.get(id=delivery_id)
    assert delivery.attempts == 1
    assert delivery.error == "HTTP 404: no_service"


def test_busy_slack_is_retried_until_it_answers(make_hook, httpserver, team):
    make_hook("slack")
    answers = iter([503, 429, 200])

    def flaky(request):
        return Response("ok", status=next(answers))

    httpserver.expect_request("/hook").respond_with_handler(flaky)
    [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={})
    assert deliver.apply(args=[delivery_id]).get() == "sent"
    delivery = Delivery.objects.get(id=delivery_id)
    assert (delivery.status, delivery.attempts) == ("sent", 3)


def test_slow_slack_times_out_and_is_retried(make_hook, httpserver, team, fast_delivery):
    make_hook("slack")
    calls: list = []

    def slow_then_fine(request):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(1.5)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(slow_then_fine)
    [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={})
    assert deliver.apply(args=[delivery_id]).get() == "sent"
    assert Delivery.objects.get(id=delivery_id).attempts == 2


def test_retry_countdown_backs_off_and_stays_under_the_visibility_timeout():
    waits = [services.retry_countdown(n) for n in range(8)]
    assert waits[:3] == [30, 60, 120]
    assert waits == sorted(waits)
    assert max(waits) <= max_countdown()
