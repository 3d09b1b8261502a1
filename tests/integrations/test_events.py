"""Events found by the periodic scan: links newly broken, a member who finished or fell behind;
each sent once, whatever the number of scans."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from curricula.models import Resource, Revision
from integrations import events
from integrations.models import Delivery, Hook
from notes.services import progress_set
from teams.models import Assignment
from tests import factories

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def test_newly_broken_links_are_sent_once_each(make_hook):
    old = factories.make_resource("https://example.org/old", health="broken")
    hook = make_hook("slack", events=["links_broken"])
    Hook.objects.filter(id=hook.id).update(created_at=timezone.now() - timedelta(hours=1))
    Resource.objects.filter(id=old.id).update(health_changed_at=timezone.now() - timedelta(days=2))
    curriculum = factories.make_curriculum()
    revision = Revision.objects.create(curriculum=curriculum, number=2, sha256="x", source_text="")
    new = factories.make_resource(
        "https://example.org/new", health="broken", health_changed_at=timezone.now()
    )
    factories.make_entry(curriculum, "A dead post", resource=new)
    retired = factories.make_resource(
        "https://example.org/retired", health="broken", health_changed_at=timezone.now()
    )
    factories.make_entry(curriculum, "Gone", resource=retired, retired_in=revision)

    assert events.links_broken_emit() == 1
    delivery = Delivery.objects.get()
    assert "https://example.org/new" in delivery.text
    assert "https://example.org/old" not in delivery.text  # broke before the hook existed
    assert "https://example.org/retired" not in delivery.text  # nobody is sent there
    assert events.links_broken_emit() == 0  # a second scan finds nothing new

    later = factories.make_resource(
        "https://example.org/later",
        health="broken",
        health_changed_at=timezone.now() + timedelta(seconds=1),
    )
    assert events.links_broken_emit() == 1
    newest = Delivery.objects.order_by("-id").first()
    assert later.url in newest.text and new.url not in newest.text


@pytest.fixture
def assigned(team, member):
    curriculum = factories.make_curriculum_with_entries(2, tiers=1, title="Basics")
    Assignment.objects.create(
        curriculum=curriculum,
        team=team,
        start_date=dt.date(2026, 11, 1),
        due_date=dt.date(2026, 12, 31),
    )
    return curriculum


@time_machine.travel(NOW)
def test_a_member_who_finishes_is_announced_once(make_hook, team, member, assigned):
    make_hook("slack", events=["finished"])
    assert events.team_progress_emit() == 0
    for entry in assigned.entries.all():
        progress_set(actor=member, entry=entry, status="done")
    assert events.team_progress_emit() == 1
    delivery = Delivery.objects.get()
    assert delivery.event == "finished"
    assert "finished “Basics”" in delivery.text
    assert events.team_progress_emit() == 0


@time_machine.travel(NOW)
def test_falling_behind_is_announced_once_per_state(make_hook, team, member, owner, assigned):
    make_hook("slack", events=["fell_behind"])
    # A month in with nothing done: both members are stalled.
    assert events.team_progress_emit() == 2
    texts = sorted(Delivery.objects.values_list("text", flat=True))
    assert all("is stalled on “Basics” (due 2026-12-31)" in t for t in texts)
    assert events.team_progress_emit() == 0


def test_hooks_without_these_events_get_nothing(make_hook, team, assigned):
    make_hook("slack", events=["weekly_summary"])
    factories.make_resource("https://example.org/x", health="broken")
    assert events.events_emit()["links_broken"] == 0
    assert events.team_progress_emit() == 0


def _page(resource: Resource, title: str) -> None:
    Resource.objects.filter(id=resource.id).update(page_title=title)


def test_wrong_papers_flagged_are_sent_once_each_while_they_stay_flagged(
    make_hook, httpserver, settings
):
    """A title verdict that newly becomes "wrong paper?" (curricula.verify) is one message per
    entry to the admins' hook; not again while it stays flagged; again if it clears and returns."""
    from curricula.verify import titles_verify
    from integrations.tasks import deliver

    curriculum = factories.make_curriculum(title="Transformers")
    before = factories.make_resource("https://example.org/before", kind="blog")
    factories.make_entry(
        curriculum, "Deep Residual Learning for Image Recognition", resource=before
    )
    _page(before, "Cooking pasta at home: a beginner's guide")
    titles_verify(resource_ids=[before.id], search=False)  # flagged before the hook existed
    hook = make_hook("slack", events=["wrong_paper"])
    assert events.wrong_papers_emit() == 0

    page = factories.make_resource("https://example.org/post", kind="blog")
    entry = factories.make_entry(curriculum, "Attention Is All You Need", resource=page)
    _page(page, "Attention Is All You Need")
    titles_verify(resource_ids=[page.id], search=False)
    assert events.wrong_papers_emit() == 0  # the title matches: nothing to say

    _page(page, "Ten tips for growing tomatoes in small gardens")
    titles_verify(resource_ids=[page.id, before.id], search=False)
    assert events.events_emit()["wrong_papers"] == 1
    delivery = Delivery.objects.get(hook=hook)
    assert delivery.event == "wrong_paper"
    assert "Attention Is All You Need" in delivery.text and "tomatoes" in delivery.text
    assert "Deep Residual" not in delivery.text

    titles_verify(resource_ids=[page.id], search=False)  # checked again, still wrong
    assert events.wrong_papers_emit() == 0

    _page(page, "Attention Is All You Need")
    titles_verify(resource_ids=[page.id], search=False)  # fixed …
    _page(page, "Ten tips for growing tomatoes in small gardens")
    titles_verify(resource_ids=[page.id], search=False)  # … and wrong again: news again
    assert events.wrong_papers_emit() == 1
    assert Delivery.objects.filter(hook=hook).count() == 2

    other = make_hook("slack", path="/other", events=["links_broken"])
    assert not Delivery.objects.filter(hook=other).exists()  # did not opt in

    httpserver.expect_request("/hook").respond_with_data("ok")
    assert deliver.apply(args=[delivery.id]).get() == "sent"
    [(request, _)] = httpserver.log
    assert "Attention Is All You Need" in request.get_json()["text"]
    assert entry.resource.url in request.get_json()["text"]
