"""Delivery rules shared by every kind: SSRF guard, disabling after repeated failures (the
managers are told), the admin's hook list and delivery log."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from integrations import services
from integrations.models import Delivery, Hook
from integrations.tasks import deliver


def test_a_hook_pointing_inside_is_refused_by_the_ssrf_guard(team, settings):
    settings.READLIST_FETCH_ALLOW = []
    hook = Hook.objects.create(
        team=team, kind="webhook", url="http://127.0.0.1:9/hook", events=["weekly_summary"]
    )
    [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={}, hooks=[hook])
    assert deliver.apply(args=[delivery_id]).get() == "failed"
    assert Delivery.objects.get(id=delivery_id).error.startswith("refused")


def test_repeated_failures_disable_the_hook_and_tell_the_managers(
    make_hook, httpserver, team, settings
):
    settings.READLIST_HOOK_MAX_FAILURES = 3
    hook = make_hook("slack")
    httpserver.expect_request("/hook").respond_with_data("invalid_token", status=403)
    for _ in range(3):
        [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={})
        assert deliver.apply(args=[delivery_id]).get() == "failed"
    hook.refresh_from_db()
    assert not hook.enabled
    assert hook.disabled_at is not None
    assert "3 deliveries in a row failed" in hook.disabled_reason
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@example.com"] or all("boss" in a for a in message.to)
    assert "Research" in message.subject
    assert "invalid_token" in message.body
    # Nothing more is queued for a disabled hook, and a queued one is not sent.
    assert services.hooks_emit(Hook.Event.TEST, team=team, context={}) == []


def test_a_success_resets_the_failure_count(make_hook, httpserver, team):
    hook = make_hook("slack")
    Hook.objects.filter(id=hook.id).update(failures=4)
    httpserver.expect_request("/hook").respond_with_data("ok")
    [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={})
    deliver.apply(args=[delivery_id])
    hook.refresh_from_db()
    assert hook.failures == 0


def test_a_delivery_is_sent_once(make_hook, httpserver, team):
    make_hook("slack")
    httpserver.expect_request("/hook").respond_with_data("ok")
    [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={})
    assert deliver.apply(args=[delivery_id]).get() == "sent"
    assert deliver.apply(args=[delivery_id]).get() == "skipped"  # delivered twice by the broker
    assert len(httpserver.log) == 1


def test_emit_queues_after_commit(make_hook, team, django_capture_on_commit_callbacks):
    make_hook("slack")
    with django_capture_on_commit_callbacks() as callbacks:
        ids = services.hooks_emit(Hook.Event.TEST, team=team, context={})
    assert len(ids) == 1 and len(callbacks) == 1


@pytest.mark.parametrize("url", ["http://0177.0.0.1/x", "ftp://example.com/", "http://[bad/"])
def test_admin_refuses_a_url_that_cannot_be_posted_to(admin_client, team, url):
    response = admin_client.post(
        reverse("admin:integrations_hook_add"),
        {"team": team.id, "kind": "slack", "name": "", "url": url, "enabled": "on"},
    )
    assert response.status_code == 200
    assert not Hook.objects.exists()


def test_admin_lists_hooks_and_the_delivery_log(admin_client, make_hook, team):
    hook = make_hook("slack", name="Team channel")
    services.hooks_emit(Hook.Event.TEST, team=team, context={})
    assert (
        b"Team channel" in admin_client.get(reverse("admin:integrations_hook_changelist")).content
    )
    log = admin_client.get(reverse("admin:integrations_delivery_changelist"))
    assert log.status_code == 200
    assert b"Pending" in log.content
    delivery = Delivery.objects.get()
    detail = admin_client.get(reverse("admin:integrations_delivery_change", args=[delivery.id]))
    assert detail.status_code == 200
    assert admin_client.get(reverse("admin:integrations_delivery_add")).status_code == 403
    assert (
        hook.secret.encode()
        in admin_client.get(reverse("admin:integrations_hook_change", args=[hook.id])).content
    )


def test_admin_test_action_queues_a_test_message(admin_client, make_hook):
    hook = make_hook("slack")
    admin_client.post(
        reverse("admin:integrations_hook_changelist"),
        {"action": "send_test", "_selected_action": [hook.id]},
    )
    assert Delivery.objects.filter(hook=hook, event="test").count() == 1


def test_non_staff_cannot_see_hooks(client, member, make_hook):
    make_hook("slack")
    client.force_login(member)
    response = client.get(reverse("admin:integrations_hook_changelist"))
    assert response.status_code == 302


def test_a_delivery_whose_publish_failed_is_queued_again_by_the_scan_and_sent_once(
    make_hook, httpserver, team, django_capture_on_commit_callbacks
):
    """The broker was down when it was queued: the delivery stays pending until a scan (once
    it is a few minutes old) queues it again; a re-queue of one already sent sends nothing."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from integrations import events

    make_hook("slack")
    httpserver.expect_request("/hook").respond_with_data("ok")
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=False) as lost:  # the publish never happens
        [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={})
    assert len(lost) == 1
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert events.events_emit()["requeued"] == 0  # too young: its task may be on its way
    assert queued == []

    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            assert events.events_emit()["requeued"] == 1
        with django_capture_on_commit_callbacks(execute=False) as again:
            assert services.deliveries_requeue_stale() == 1  # still pending: once per scan
        assert len(queued) == 1 and len(again) == 1
        assert deliver.apply(args=[delivery_id]).get() == "sent"
        assert deliver.apply(args=[delivery_id]).get() == "skipped"  # the second re-queue
        assert services.deliveries_requeue_stale() == 0
    assert len(httpserver.log) == 1
    assert Delivery.objects.get(id=delivery_id).status == Delivery.Status.SENT


def test_an_attempt_in_flight_or_waiting_for_its_retry_is_claimed_by_nobody_else(
    make_hook, httpserver, team
):
    """The claim is one conditional UPDATE: a second task for the same delivery (a re-queue,
    a broker redelivery) while one attempt holds it does nothing; nor does the sweep."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    make_hook("slack")
    httpserver.expect_request("/hook").respond_with_data("busy", status=503)
    [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={})
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert services.delivery_attempt(delivery_id=delivery_id, final=False, backoff=480) == (
            "retry"
        )
        # Another task at once: the retry's backoff holds it.
        assert services.delivery_attempt(delivery_id=delivery_id, final=False) == "skipped"
    with time_machine.travel(start + dt.timedelta(minutes=7), tick=False):
        assert services.deliveries_requeue_stale() == 0  # its own retry is still to come
    with time_machine.travel(start + dt.timedelta(minutes=8), tick=False):
        httpserver.clear()
        httpserver.expect_request("/hook").respond_with_data("ok")
        assert services.delivery_attempt(delivery_id=delivery_id, final=False) == "sent"
    assert Delivery.objects.get(id=delivery_id).attempts == 2
