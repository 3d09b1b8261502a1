"""Two Celery beats against a real Redis (the test's own): each period's task is sent once, and
when the beat holding the lock dies the other takes over."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

REPO = Path(__file__).resolve().parents[2]
PERIOD = 1.0  # tests/deploy/beat_settings.py
pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


def start_beat(tmp_path: Path, name: str, redis_url: str) -> tuple[subprocess.Popen, Path]:
    var = tmp_path / name
    var.mkdir()
    log = var / "beat.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))},
        "DJANGO_SETTINGS_MODULE": "tests.deploy.beat_settings",
        "READLIST_DOTENV": str(var / "no.env"),
        "READLIST_TESTING": "1",
        "READLIST_VAR_DIR": str(var),
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "readlist", "beat", "--loglevel=INFO"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, log


def sent(client: redis.Redis) -> int:
    return client.llen("default")


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_two_beats_send_each_tick_once_and_fail_over(tmp_path, own_redis):
    client = redis.Redis.from_url(own_redis.url)
    beats = [start_beat(tmp_path, name, own_redis.url) for name in ("one", "two")]
    try:
        # Both have started (each logs its start-up) and ticks are flowing.
        wait_for(
            lambda: all(b"beat: Starting" in log.read_bytes() for _, log in beats), 90, "start"
        )
        wait_for(lambda: sent(client) >= 2, 60, "the first ticks")

        window = 6.0
        before = sent(client)
        time.sleep(window)
        ticks = sent(client) - before
        # One beat sends ~window/PERIOD; two unlocked beats would send twice that.
        assert window / PERIOD - 2 <= ticks <= window / PERIOD + 2, ticks

        holders = [(p, log) for p, log in beats if b"Acquired lock" in log.read_bytes()]
        assert len(holders) == 1
        holders[0][0].send_signal(signal.SIGKILL)
        holders[0][0].wait(timeout=10)
        # The other takes the lock once it expires (3 s here) and the ticks go on.
        survivor_log = next(log for p, log in beats if p is not holders[0][0])
        wait_for(lambda: b"Acquired lock" in survivor_log.read_bytes(), 30, "the takeover")
        after_takeover = sent(client)
        time.sleep(3)
        assert sent(client) - after_takeover >= 2
    finally:
        for process, _ in beats:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
        client.close()
