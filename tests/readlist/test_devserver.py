"""`make run`'s runner, end to end: a real web server, worker and beat on the filesystem broker."""

from __future__ import annotations

import html
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

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
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in time")


def _wait_for_line(log: Path, text: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        time.sleep(0.1)
    raise AssertionError(f"{log.name} never said {text!r}:\n{log.read_text()[-3000:]}")


def _gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def _children(pid: int) -> list[int]:
    """Pids whose parent is `pid` (Linux /proc; elsewhere the runner's log names them)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _run_until_up_then_stop(
    tmp_path, name: str, *, stop: str = "ctrl-c", extra_env: dict | None = None, ready=None
) -> tuple[str, bytes]:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))},
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "READLIST_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
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
            if ready is not None:
                ready()
            else:
                # The worker is up and consuming what the import queued before it is stopped.
                _wait_for_line(log, "ready.", time.monotonic() + 60)
            children = _children(proc.pid)
        finally:
            if stop == "ctrl-c":
                proc.send_signal(signal.SIGINT)
            else:
                # An operator stops the process group; `make` forwards the TERM it gets to its
                # child, and an impatient operator sends it again: several TERMs in a row.
                os.killpg(proc.pid, signal.SIGTERM)
                for pause in (0.3, 1.0, 2.0):
                    time.sleep(pause)
                    try:
                        os.kill(proc.pid, signal.SIGTERM)
                    except ProcessLookupError:
                        break
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                raise
    text = log.read_text()
    # The runner's own group and each child's group (web server, worker): nothing is left.
    logged = [int(g) for g in re.findall(r"process group (\d+)", text)]
    groups = [proc.pid, *sorted(set(children) | set(logged))]
    assert len(groups) == 3, (groups, text[-3000:])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not all(_gone(g) for g in groups):
        time.sleep(0.3)
    left = [g for g in groups if not _gone(g)]
    for group in left:
        os.killpg(group, signal.SIGKILL)
    assert not left, f"process groups outlived the stop ({stop}): {left}\n{text[-3000:]}"
    assert _port_free(port), "the web server still holds the port"
    return text, home


def test_make_run_serves_the_curricula_and_stops_on_term_to_the_group_and_on_ctrl_c(tmp_path):
    # A task that hangs (arXiv never answers) keeps the worker's warm shutdown waiting: only
    # a stop that goes through to its end (SIGKILL after the grace period) ends it.
    arrived = threading.Event()
    release = threading.Event()

    def never_answers(request):
        arrived.set()
        release.wait(60)
        return "late"

    arxiv = HTTPServer(threaded=True)
    arxiv.start()
    arxiv.expect_request("/api/query").respond_with_handler(never_answers)
    slow_arxiv = {
        "READLIST_ARXIV_API_URL": arxiv.url_for("/api/query"),
        "READLIST_ARXIV_TIMEOUT": "60",
        "READLIST_FETCH_ALLOW": "127.0.0.1",
    }
    try:
        first_log, home = _run_until_up_then_stop(
            tmp_path,
            "first",
            stop="term-group",
            extra_env=slow_arxiv,
            ready=lambda: arrived.wait(60),
        )
    finally:
        release.set()
        arxiv.stop()
    assert arrived.is_set(), "the worker never asked arXiv"
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

    second_log, _ = _run_until_up_then_stop(tmp_path, "second")
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


class _Exited:
    """A child that has already exited: the command stops at once."""

    def __init__(self, args, **kwargs):
        self.args, self.env, self.pid, self.returncode = args, kwargs["env"], 0, 0
        _Exited.started.append(self)

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0


@pytest.mark.parametrize(("given", "children_get"), [(None, "0"), ("1", "1")])
def test_make_run_keeps_its_children_off_the_internet_unless_asked(
    monkeypatch, settings, tmp_path, given, children_get
):
    from django.core.management import CommandError, call_command

    from readlist.management.commands import devserver

    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    if given is None:
        monkeypatch.delenv("READLIST_FETCH_INTERNET", raising=False)
    else:
        monkeypatch.setenv("READLIST_FETCH_INTERNET", given)
    monkeypatch.setattr(devserver, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(devserver.subprocess, "Popen", _Exited)
    monkeypatch.setattr(devserver, "_signal_group", lambda child, signum: None)
    _Exited.started = []
    with pytest.raises(CommandError, match="stopped"):
        call_command("devserver", "--port", "8799", "--no-worker")
    assert [c.env["READLIST_FETCH_INTERNET"] for c in _Exited.started] == [children_get]
