"""Runs cut short by a dead worker: orphans are closed, a second delivery records nothing twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from curricula import tasks
from curricula.linkhealth import services
from curricula.models import CheckRun, LinkCheck, Resource
from tests import factories
from tests.conftest import REPO

pytestmark = pytest.mark.django_db(transaction=True)


def _settings_with_redis() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTEST"))}
    env.update({"REDIS_URL": "redis://127.0.0.1:6379/0", "DEBUG": "1"})
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "from readlist.celery import app; "
        "print(json.dumps({'options': settings.CELERY_BROKER_TRANSPORT_OPTIONS,"
        " 'limits': {n: t.time_limit for n, t in app.tasks.items() if not n.startswith('celery.')},"
        " 'countdown': __import__('readlist.celery').celery.max_countdown()}))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "readlist.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_visibility_timeout_fits_every_task_time_limit_and_retry():
    found = _settings_with_redis()
    visibility = found["options"]["visibility_timeout"]
    # Celery's default (an hour) left a killed worker's task waiting that long.
    assert visibility < 3600
    limits = {name: limit for name, limit in found["limits"].items() if limit}
    assert "curricula.tasks.check_links" in limits
    assert max(limits.values()) < visibility
    assert found["countdown"] < visibility


def test_a_run_left_running_past_its_lease_is_closed_by_the_scheduler(fast_checker):
    resource = factories.make_resource()
    orphan = CheckRun.objects.create(
        trigger="schedule", task_id="dead", lease_until=timezone.now() - timedelta(seconds=1)
    )
    alive = CheckRun.objects.create(
        trigger="schedule", task_id="alive", lease_until=timezone.now() + timedelta(minutes=5)
    )
    Resource.objects.filter(id=resource.id).update(
        check_claim=f"run-{orphan.id}", check_claimed_until=timezone.now() + timedelta(minutes=9)
    )
    tasks.check_due_links.apply()
    orphan.refresh_from_db()
    alive.refresh_from_db()
    assert orphan.finished_at is not None
    assert orphan.inconclusive
    assert orphan.note.startswith("Aborted")
    assert alive.finished_at is None
    # The dead run's links are free again at once, not after their claim's lease.
    assert Resource.objects.get(id=resource.id).check_claim == ""


def test_the_next_run_closes_an_orphan_too(fast_checker, httpserver):
    httpserver.expect_request("/a").respond_with_data("<title>A</title>")
    orphan = CheckRun.objects.create(lease_until=timezone.now() - timedelta(seconds=1))
    resource = factories.make_resource(httpserver.url_for("/a"))
    services.linkcheck_run(resource_ids=[resource.id])
    orphan.refresh_from_db()
    assert orphan.finished_at is not None
    assert not CheckRun.objects.filter(finished_at__isnull=True).exists()


def test_a_task_delivered_again_carries_on_its_run_and_records_nothing_twice(
    fast_checker, httpserver
):
    for i in range(4):
        httpserver.expect_request(f"/p{i}").respond_with_data(f"<title>P{i}</title>")
    resources = [factories.make_resource(httpserver.url_for(f"/p{i}")) for i in range(4)]
    ids = [r.id for r in resources]
    first = services.linkcheck_run(resource_ids=ids[:2], trigger="task", task_id="t-1")
    # The worker died after recording two links and before acknowledging the task: the
    # broker delivers the same task (same id) again, with all four ids.
    CheckRun.objects.filter(id=first.id).update(finished_at=None)
    again = services.linkcheck_run(resource_ids=ids, trigger="task", task_id="t-1")
    assert again.id == first.id
    assert CheckRun.objects.count() == 1
    assert LinkCheck.objects.filter(run=first).count() == 4
    assert sorted(LinkCheck.objects.values_list("resource_id", flat=True)) == sorted(ids)
    requested = [entry[0].path for entry in httpserver.log if entry[0].path.startswith("/p")]
    assert sorted(requested) == ["/p0", "/p1", "/p2", "/p3"]  # each link fetched once
    again.refresh_from_db()
    assert again.finished_at is not None
    assert again.counts["ok"] == 4


def test_a_run_cut_short_by_an_exception_is_not_left_running(fast_checker, httpserver, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from curricula.linkhealth import checker

    def out_of_time(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(checker, "check_many", out_of_time)
    resource = factories.make_resource(httpserver.url_for("/x"))
    with pytest.raises(SoftTimeLimitExceeded):
        services.linkcheck_run(resource_ids=[resource.id])
    run = CheckRun.objects.get()
    assert run.finished_at is not None
    assert run.inconclusive
    assert "SoftTimeLimitExceeded" in run.note
    assert Resource.objects.get(id=resource.id).check_claim == ""


def test_check_links_task_passes_its_id(fast_checker, httpserver, settings):
    httpserver.expect_request("/a").respond_with_data("<title>A</title>")
    settings.READLIST_ARXIV_API_URL = httpserver.url_for("/api/query")
    resource = factories.make_resource(httpserver.url_for("/a"))
    tasks.check_links.apply(args=([resource.id], "task"), task_id="fixed-id")
    run = CheckRun.objects.get()
    assert run.task_id == "fixed-id"
    assert run.finished_at is not None
