"""A real Celery worker killed with SIGKILL mid-batch: the task comes back, nothing is recorded
twice and no check run stays "running".

Each worker is its own process (`celery worker --pool=solo`) in its own process group, on the
real Redis and on this test's PostgreSQL database, consuming a queue of this test's own. The
broker's visibility timeout is set short for the workers (CELERY_VISIBILITY_TIMEOUT), and they
look for tasks past it every 0.2 s (tests/resilience/worker_settings.py), so each next worker
starts at once, while the killed one's task is still invisible, and takes it back on time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from curricula.models import CheckRun, LinkCheck
from curricula.tasks import check_links
from tests import factories
from tests.conftest import REPO
from tests.curricula.workers_support import FakeArxiv


def _redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


if not _redis_reachable():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI must run the worker tests: set REDIS_URL to the CI Redis.")
    pytest.skip("needs a reachable Redis (set REDIS_URL)", allow_module_level=True)
if not settings.IS_POSTGRES:
    pytest.skip(
        "a worker process shares the test database only on PostgreSQL (set DATABASE_URL)",
        allow_module_level=True,
    )

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(240),
]
VISIBILITY = 2  # seconds: how long Redis waits before handing a dead worker's task out again
LINKS = 9


def _wait_for(predicate, what: str, workers: Workers | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n{workers.logs() if workers else ''}")


class Workers:
    """Starts and SIGKILLs real worker processes."""

    def __init__(self, env: dict[str, str], queue: str, log_dir) -> None:
        self.env, self.queue, self.log_dir = env, queue, log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        log = (self.log_dir / f"worker{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "readlist",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}-{len(self.procs)}@%h",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)  # as a machine or the OOM killer would: no goodbye
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("worker*.log")))


@pytest.fixture
def web():
    """A threaded local web whose link and arXiv answers can be held until the test lets go."""
    server = HTTPServer(threaded=True)
    server.start()
    server.hold_links = threading.Event()  # type: ignore[attr-defined]
    server.hold_arxiv = threading.Event()  # type: ignore[attr-defined]
    server.hold_links.set()
    server.hold_arxiv.set()
    yield server
    server.hold_links.set()
    server.hold_arxiv.set()
    server.clear()
    if server.is_running():
        server.stop()


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def workers(web, tmp_path):
    queue = f"test-killed-{uuid.uuid4().hex[:10]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTEST"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.resilience.worker_settings",
            "DEBUG": "1",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "READLIST_REDIS_PREFIX": settings.READLIST_REDIS_PREFIX,
            "READLIST_VAR_DIR": str(tmp_path / "var"),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
            "READLIST_FETCH_ALLOW": "127.0.0.1,localhost",
            "READLIST_LINKCHECK_CANARIES": web.url_for("/canary"),
            "READLIST_LINKCHECK_HOST_INTERVAL": "0.05",
            "READLIST_LINKCHECK_TIMEOUT": "3",
            "READLIST_LINKCHECK_THREADS": "4",
            "READLIST_ARXIV_API_URL": web.url_for("/api/query"),
            "READLIST_ARXIV_MIN_INTERVAL": "0.01",
            "READLIST_ARXIV_BACKOFF": "0.01",
            "PYTHONUNBUFFERED": "1",
        }
    )
    team = Workers(env, queue, tmp_path)
    try:
        yield team
    finally:
        team.stop_all()
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete(queue)
        # What kombu keeps for unacknowledged messages of this queue is removed with it.
        client.delete(f"unacked_{queue}")


def _running_runs() -> int:
    return CheckRun.objects.filter(finished_at__isnull=True).count()


def test_killed_worker_task_is_delivered_again_and_records_each_link_once(web, workers):
    web.expect_request("/canary").respond_with_data("ok")
    arrivals: list[str] = []
    searches: list[str] = []

    def link(request):
        arrivals.append(request.path)
        web.hold_links.wait(30)
        return Response(f"<title>Page {request.path}</title>", content_type="text/html")

    def arxiv(request):
        searches.append(request.query_string.decode())
        web.hold_arxiv.wait(60)
        return FakeArxiv()(request)

    web.expect_request("/api/query").respond_with_handler(arxiv)
    for i in range(LINKS):
        web.expect_request(f"/link{i}").respond_with_handler(link)
    curriculum = factories.make_curriculum()
    resources = [factories.make_resource(web.url_for(f"/link{i}")) for i in range(LINKS)]
    # A curated title unlike the page's: checking titles afterwards asks arXiv for candidates.
    factories.make_entry(curriculum, "A title nothing like the page", resource=resources[0])
    ids = [r.id for r in resources]

    # 1. Killed mid-batch, before anything was recorded.
    web.hold_links.clear()
    first = workers.start()
    check_links.apply_async(args=(ids, "task"), queue=workers.queue)
    _wait_for(lambda: arrivals, "the first worker to request a link", workers)
    run = CheckRun.objects.get()
    assert run.finished_at is None
    workers.kill(first)
    assert LinkCheck.objects.count() == 0
    assert _running_runs() == 1  # what a dead worker leaves behind until someone notices

    # 2. Delivered again once the visibility timeout has passed: the same run carries on,
    #    records every link, then stops in the title check (arXiv held) and is killed there,
    #    after its results were saved but before the task was acknowledged.
    web.hold_arxiv.clear()
    web.hold_links.set()
    second = workers.start()
    _wait_for(
        lambda: CheckRun.objects.filter(finished_at__isnull=False).exists(),
        "the second delivery to finish the run",
        workers,
    )
    _wait_for(lambda: searches, "the title check to ask arXiv", workers)
    workers.kill(second)
    assert LinkCheck.objects.count() == LINKS

    # 3. The third delivery finds everything recorded: nothing twice, nothing left running.
    web.hold_arxiv.set()
    before = len(arrivals)
    workers.start()
    _wait_for(lambda: "succeeded" in workers.logs(), "the third delivery to succeed", workers)
    assert CheckRun.objects.count() == 1
    assert CheckRun.objects.get().id == run.id
    assert _running_runs() == 0
    assert LinkCheck.objects.count() == LINKS
    assert sorted(LinkCheck.objects.values_list("resource_id", flat=True)) == sorted(ids)
    assert len(arrivals) == before  # the third delivery requested no link again
    run.refresh_from_db()
    assert run.counts["ok"] == LINKS
