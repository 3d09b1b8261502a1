"""Weekly digests: members get what is next and new (unless they opted out), managers get who
is stalled or overdue; each goes out once per period however often the task runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from teams import digests, tasks
from teams.models import DigestPreference, DigestSent

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 16)


@pytest.fixture
def overdue(assignment):
    assignment.start_date = timezone.localdate() - dt.timedelta(days=40)
    assignment.due_date = timezone.localdate() - dt.timedelta(days=1)
    assignment.save()
    return assignment


def by_recipient():
    return {m.to[0]: m for m in mail.outbox}


def test_weekly_task_sends_each_digest_once_even_when_run_twice(
    settings, manager, alice, bob, overdue
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from readlist.celery import app

    app.conf.task_always_eager = True
    try:
        first = tasks.send_weekly_digests.delay(MONDAY.isoformat()).get()
        tasks.send_weekly_digests.delay(MONDAY.isoformat()).get()
    finally:
        app.conf.task_always_eager = False
    assert first == {"members": 2, "managers": 1}
    sent = by_recipient()
    assert len(mail.outbox) == 3 and set(sent) == {
        "alice@example.com",
        "bob@example.com",
        "boss@example.com",
    }
    assert DigestSent.objects.count() == 3


def test_member_digest_has_next_and_an_unsubscribe_link(client, alice, assignment):
    assert digests.member_digest_send(user=alice, period=MONDAY)
    message = mail.outbox[0]
    assert message.subject == "Your reading this week (16 Nov)"
    assert "First paper" in message.body and "due " in message.body
    html = message.alternatives[0][0]
    assert "First paper" in html and "Unsubscribe" in html
    link = next(w for w in message.body.split() if "/digest/unsubscribe/" in w)
    path = link.split("127.0.0.1:8000", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert DigestPreference.objects.filter(user=alice).count() == 0  # a GET changes nothing
    assert client.post(path).status_code == 200
    assert not DigestPreference.objects.get(user=alice).weekly_digest
    assert not digests.member_digest_send(user=alice, period=MONDAY + dt.timedelta(days=7))
    assert len(mail.outbox) == 1


def test_a_forged_unsubscribe_link_is_404(client, alice):
    token = digests.unsubscribe_token(alice)
    assert client.get(f"/digest/unsubscribe/{token}x/").status_code == 404
    assert client.post("/digest/unsubscribe/garbage/").status_code == 404


def test_digest_settings_page_toggles(client, alice):
    assert client.get("/digest/").status_code == 302  # sign in first
    client.force_login(alice)
    assert "checked" in client.get("/digest/").content.decode()
    assert client.post("/digest/", {}).status_code == 302
    assert not DigestPreference.objects.get(user=alice).weekly_digest
    client.post("/digest/", {"weekly_digest": "on"})
    assert DigestPreference.objects.get(user=alice).weekly_digest
    assert client.put("/digest/").status_code == 405


def test_manager_digest_names_who_is_overdue_and_skips_quiet_weeks(manager, alice, overdue):
    assert digests.manager_digest_send(user=manager, period=MONDAY)
    message = mail.outbox[0]
    assert "Alice Adams, Course: overdue" in message.body
    assert "/teams/research/" in message.body
    assert "<td>Alice Adams</td>" in message.alternatives[0][0]
    # Nothing stalled or overdue: no email, and no claim used up.
    overdue.due_date = timezone.localdate() + dt.timedelta(days=30)
    overdue.start_date = timezone.localdate()
    overdue.save()
    assert not digests.manager_digest_send(user=manager, period=MONDAY + dt.timedelta(days=7))
    assert len(mail.outbox) == 1


def test_a_failed_send_releases_the_claim_for_the_retry(monkeypatch, alice, assignment):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    with pytest.raises(OSError):
        digests.member_digest_send(user=alice, period=MONDAY)
    assert not DigestSent.objects.exists()
    monkeypatch.undo()
    assert digests.member_digest_send(user=alice, period=MONDAY)


def test_tasks_return_quietly_for_people_who_are_gone(db):
    assert tasks.send_member_digest(999999, MONDAY.isoformat()) is False
    assert tasks.send_manager_digest(999999, MONDAY.isoformat()) is False


def test_period_is_the_monday_of_the_week():
    assert digests.period_for(dt.date(2026, 11, 22)) == MONDAY
    assert digests.period_for(MONDAY) == MONDAY


def test_the_weekly_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["teams-weekly-digests"]
    assert entry["task"] == "teams.tasks.send_weekly_digests"
    assert "linkhealth-check-due" in settings.CELERY_BEAT_SCHEDULE  # added, not replaced
