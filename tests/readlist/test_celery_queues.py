"""Celery queues by kind of work: link checks, arXiv fetches and mail each wait in their own."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from curricula import tasks as curricula_tasks
from notes import tasks as notes_tasks
from readlist.celery import all_queues, app
from teams import tasks as teams_tasks

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs a real Redis broker: set REDIS_URL"
)


def test_one_local_worker_consumes_every_queue():
    assert all_queues() == ["arxiv", "default", "links", "mail"]


@needs_redis
def test_each_kind_of_work_is_published_to_its_own_queue(settings):
    tag = uuid.uuid4().hex[:8]
    names = {kind: f"test-{kind}-{tag}" for kind in ("links", "arxiv", "mail")}
    settings.READLIST_CELERY_QUEUES = {
        task: names[kind] for task, kind in settings.READLIST_CELERY_QUEUES.items()
    }
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        curricula_tasks.check_links.delay([1], "admin")
        curricula_tasks.check_links.delay([2], "admin")
        curricula_tasks.fetch_arxiv.delay([1])
        curricula_tasks.send_broken_digest.delay()
        teams_tasks.send_member_digest.delay(1)
        depth = {kind: client.llen(name) for kind, name in names.items()}
        assert depth == {"links": 2, "arxiv": 1, "mail": 2}
        # A task no route names goes to the default queue, not to any of these.
        notes_tasks.repair_tallies.delay()
        assert {kind: client.llen(name) for kind, name in names.items()} == depth
    finally:
        client.delete(*names.values())
        # The unrouted task waits in the shared default queue: take it back out.
        for raw in client.lrange(app.conf.task_default_queue, 0, -1):
            if b"notes.tasks.repair_tallies" in raw:
                client.lrem(app.conf.task_default_queue, 1, raw)
        client.close()
