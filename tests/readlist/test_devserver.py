"""`make run`'s runner, end to end: a real web server, worker and beat on the filesystem broker."""

from __future__ import annotations

import html
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.timeout(240)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, deadline: float) -> bytes:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                return response.read()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in time")


def _run_until_up_then_interrupt(tmp_path, name: str) -> tuple[str, bytes]:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))},
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "READLIST_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "devserver", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            health = _wait_for(f"http://127.0.0.1:{port}/readyz", time.monotonic() + 120)
            home = _wait_for(f"http://127.0.0.1:{port}/", time.monotonic() + 10)
            assert b'"database": "ok"' in health
            # Give the worker a moment to pick up the tasks the import enqueued.
            time.sleep(3)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                raise
    # Ctrl-C stops all of it: nothing of the process group is left.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.3)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("a child of the dev runner outlived Ctrl-C")
    return log.read_text(), home


def test_make_run_serves_the_curricula_with_a_worker_and_stops_on_ctrl_c(tmp_path):
    first_log, home = _run_until_up_then_interrupt(tmp_path, "first")
    db = sqlite3.connect(tmp_path / "run.sqlite3")
    try:
        titles = dict(db.execute("SELECT slug, title FROM curricula_curriculum").fetchall())
    finally:
        db.close()
    assert set(titles) == {"training-roles", "elicit", "llm-tricks"}
    for title in titles.values():
        assert html.escape(title).encode() in home
    assert first_log.count("password: ") == 4
    assert "celery@" in first_log and "ready." in first_log

    second_log, _ = _run_until_up_then_interrupt(tmp_path, "second")
    assert "password: " not in second_log
    assert "already exist" in second_log

    db = sqlite3.connect(tmp_path / "run.sqlite3")
    try:
        curricula = db.execute("SELECT COUNT(*) FROM curricula_curriculum").fetchone()[0]
        revisions = db.execute("SELECT COUNT(*) FROM curricula_revision").fetchone()[0]
        users = db.execute("SELECT COUNT(*) FROM auth_user").fetchone()[0]
        broken = db.execute(
            "SELECT COUNT(*) FROM curricula_resource WHERE health = 'broken'"
        ).fetchone()[0]
    finally:
        db.close()
    # A second run duplicates nothing: training-roles has its two revisions, the others one.
    assert (curricula, revisions, users) == (3, 4, 4)
    # This machine has no internet: the checker must not have called any link broken.
    assert broken == 0
