"""End to end through a real Celery worker on the real Redis: new resource → tasks → stored."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from django.conf import settings
from django.db import transaction

from curricula.linkhealth.services import resources_created
from curricula.models import Resource, TitleCheck
from readlist.celery import app
from tests import factories
from tests.curricula.workers_support import FakeArxiv

if not settings.REDIS_URL:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI must run the worker test: set REDIS_URL to the CI Redis.")
    pytest.skip(
        "needs a real Redis broker: set REDIS_URL (e.g. redis://127.0.0.1:6379/3) to run it",
        allow_module_level=True,
    )

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_queue(settings):
    """A real worker thread consuming a queue of this test's own, so nothing else is taken."""
    from celery.contrib.testing.worker import start_worker

    queue = f"test-workers-{uuid.uuid4().hex[:10]}"
    settings.READLIST_ENQUEUE_NEW_RESOURCES = True
    settings.READLIST_CELERY_QUEUES = {}  # no routes: every task to the default queue, this one
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
            yield queue
    finally:
        app.conf.task_default_queue = previous
        import redis

        redis.Redis.from_url(settings.REDIS_URL).delete(queue)


def _wait_for(predicate, timeout: float = 45.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_new_resource_is_checked_and_fetched_by_a_real_worker(
    fast_checker, httpserver, settings, worker_queue
):
    fake = FakeArxiv({"2205.01068": ("OPT: Open Pre-trained Transformer Language Models", 4)})
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    httpserver.expect_request("/post").respond_with_data(
        "<title>A post about OPT</title>", content_type="text/html"
    )
    httpserver.expect_request("/abs/2205.01068").respond_with_data("<title>OPT</title>")
    settings.READLIST_ARXIV_API_URL = httpserver.url_for("/api/query")

    with transaction.atomic():
        curriculum = factories.make_curriculum()
        paper = factories.make_resource(
            "https://arxiv.org/abs/2205.01068", arxiv_status=Resource.ArxivStatus.PENDING
        )
        # The paper's own link is checked too: point it at the local web for this test.
        Resource.objects.filter(id=paper.id).update(url=httpserver.url_for("/abs/2205.01068"))
        post = factories.make_resource(httpserver.url_for("/post"))
        factories.make_entry(curriculum, "OPT: Open Pre-trained Transformer LMs", resource=paper)
        resources_created([paper.id, post.id])
        # Nothing may run before the transaction commits.
        time.sleep(0.5)
        assert fake.requests == []

    assert _wait_for(
        lambda: (
            Resource.objects.filter(id=paper.id, arxiv_status=Resource.ArxivStatus.FOUND).exists()
            and Resource.objects.filter(id=post.id, last_checked_at__isnull=False).exists()
        )
    ), "the worker did not store metadata and link state in time"
    paper.refresh_from_db()
    post.refresh_from_db()
    assert paper.title == "OPT: Open Pre-trained Transformer Language Models"
    assert paper.latest_version == 4
    assert paper.authors == ["Ada Lovelace", "Alan Turing"]
    assert post.health == Resource.Health.OK
    assert post.page_title == "A post about OPT"
    assert _wait_for(lambda: TitleCheck.objects.filter(status="ok").exists(), timeout=10)
