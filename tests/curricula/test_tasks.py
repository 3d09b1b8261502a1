"""Tasks and commands: ids in, gone objects skipped, the beat schedule, enqueue on commit."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from curricula import tasks
from curricula.linkhealth.services import resources_created
from curricula.models import CheckRun, Resource, TitleCheck
from readlist.celery import app
from tests import factories
from tests.curricula.workers_support import FakeArxiv

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager(settings):
    settings.READLIST_ENQUEUE_NEW_RESOURCES = True
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def fake_web(fast_checker, httpserver, settings):
    fake = FakeArxiv({"2112.11446": ("Scaling Language Models: Gopher", 2)})
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    httpserver.expect_request("/page").respond_with_data(
        "<title>A blog post</title>", content_type="text/html"
    )
    settings.READLIST_ARXIV_API_URL = httpserver.url_for("/api/query")
    return httpserver


def test_beat_schedule_names_real_tasks(settings):
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_every_task_has_time_limits():
    for task in (
        tasks.check_links,
        tasks.fetch_arxiv,
        tasks.check_due_links,
        tasks.fetch_due_arxiv,
    ):
        assert task.time_limit and task.soft_time_limit


def test_tasks_return_quietly_when_resources_are_gone(fast_checker):
    assert tasks.check_links.apply(args=[[987654]]).get() == {"checked": 0}
    assert tasks.fetch_arxiv.apply(args=[[987654]]).get() == {"found": 0}
    assert not CheckRun.objects.exists()


def test_check_links_task_stores_link_state(fake_web):
    resource = factories.make_resource(fake_web.url_for("/page"))
    result = tasks.check_links.apply(args=[[resource.id]]).get()
    resource.refresh_from_db()
    assert result["ok"] == 1
    assert resource.health == "ok"
    assert resource.page_title == "A blog post"


def test_new_resources_are_checked_and_fetched_after_commit(fake_web, eager):
    curriculum = factories.make_curriculum()
    paper = factories.make_resource("https://arxiv.org/abs/2112.11446")
    page = factories.make_resource(fake_web.url_for("/page"))
    factories.make_entry(curriculum, "Gopher", resource=paper)
    resources_created([paper.id, page.id])
    page.refresh_from_db()
    paper.refresh_from_db()
    assert page.health == "ok"
    assert paper.arxiv_status == Resource.ArxivStatus.FOUND
    assert paper.title == "Scaling Language Models: Gopher"
    assert TitleCheck.objects.get().status == TitleCheck.Status.OK


def test_nothing_is_queued_when_enqueueing_is_off(fake_web, settings):
    settings.READLIST_ENQUEUE_NEW_RESOURCES = False
    page = factories.make_resource(fake_web.url_for("/page"))
    resources_created([page.id])
    page.refresh_from_db()
    assert page.last_checked_at is None


def test_due_links_are_checked_by_the_beat_task(fake_web, eager):
    page = factories.make_resource(fake_web.url_for("/page"))
    assert tasks.check_due_links.apply().get() == {"queued": 1}
    page.refresh_from_db()
    assert page.health == "ok"


def test_check_links_command(fake_web):
    curriculum = factories.make_curriculum(slug="demo")
    page = factories.make_resource(fake_web.url_for("/page"))
    factories.make_entry(curriculum, "A blog post", resource=page)
    out, err = StringIO(), StringIO()
    call_command("check_links", "--all", "--curriculum", "demo", stdout=out, stderr=err)
    page.refresh_from_db()
    assert page.health == "ok"
    assert "ok: 1" in out.getvalue()
    assert "1/1" in err.getvalue()
    assert TitleCheck.objects.get().status == TitleCheck.Status.OK


def test_check_links_command_says_when_offline(fast_checker, settings):
    settings.READLIST_LINKCHECK_CANARIES = ["http://127.0.0.1:9/"]
    factories.make_resource("https://example.invalid/x")
    out = StringIO()
    call_command("check_links", stdout=out, stderr=StringIO())
    assert "Inconclusive" in out.getvalue()


def test_fetch_arxiv_command(fake_web):
    paper = factories.make_resource("https://arxiv.org/abs/2112.11446")
    out = StringIO()
    call_command("fetch_arxiv", stdout=out, stderr=StringIO())
    paper.refresh_from_db()
    assert paper.arxiv_status == Resource.ArxivStatus.FOUND
    assert "found: 1" in out.getvalue()
    assert "requests: 1" in out.getvalue()


@pytest.mark.parametrize("command", ["check_links", "fetch_arxiv"])
def test_commands_refuse_an_unknown_curriculum(command):
    with pytest.raises(CommandError, match="No curriculum"):
        call_command(command, "--curriculum", "nope", stdout=StringIO())


def test_a_scheduled_check_skips_what_was_checked_since_it_was_queued(fake_web):
    from datetime import timedelta

    from django.utils import timezone

    page = factories.make_resource(
        fake_web.url_for("/page"), next_check_at=timezone.now() + timedelta(days=7)
    )
    assert tasks.check_links.apply(args=[[page.id], "schedule"]).get() == {"checked": 0}
    assert tasks.check_links.apply(args=[[page.id], "admin"]).get()["ok"] == 1


def test_a_scheduled_fetch_skips_fresh_metadata(fake_web):
    from django.utils import timezone

    paper = factories.make_resource(
        "https://arxiv.org/abs/2112.11446", metadata_fetched_at=timezone.now()
    )
    assert tasks.fetch_arxiv.apply(args=[[paper.id], True]).get() == {"found": 0}
    assert tasks.fetch_arxiv.apply(args=[[paper.id]]).get()["found"] == 1
