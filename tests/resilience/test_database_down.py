"""The database away (a port that never answers, or a closed one): friendly 503s, in bounded time.

Each case runs Django in a child process whose DATABASE_URL points at the dead database, as a
production process would be configured, and times the requests there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.resilience.conftest import free_port

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, time
import django
django.setup()
from django.conf import settings
from django.test import Client

client = Client(raise_request_exception=False)
out = {"options": settings.DATABASES["default"].get("OPTIONS", {})}
client.get("/healthz")  # a first request loads the URLconf, middleware and templates: untimed
for path in ("/healthz", "/", "/readyz"):
    started = time.monotonic()
    response = client.get(path)
    out[path] = {
        "status": response.status_code,
        "seconds": round(time.monotonic() - started, 2),
        "body": response.content.decode(),
        "retry_after": response.get("Retry-After"),
    }
print(json.dumps(out))
"""


def run_django(code: str, tmp_path: Path, **env: str) -> dict:
    environment = {
        **os.environ,
        "READLIST_DOTENV": str(tmp_path / "no.env"),
        "READLIST_TESTING": "1",
        "READLIST_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "readlist.settings",
        "DEBUG": "0",
        "SECRET_KEY": "test-only",
        "ALLOWED_HOSTS": "testserver",
        "REDIS_URL": "",
        **env,
    }
    done = subprocess.run(  # noqa: S603  (this interpreter, our own code)
        [sys.executable, "-c", code],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_outage_handled(out: dict, bound: float) -> None:
    home = out["/"]
    assert home["status"] == 503, home["body"][:500]
    assert "briefly unavailable" in home["body"] and "Traceback" not in home["body"]
    assert home["retry_after"] == "30"
    assert home["seconds"] < bound
    # Liveness does not need the database; readiness says it is down, in bounded time.
    assert out["/healthz"]["status"] == 200 and out["/healthz"]["seconds"] < 3
    assert out["/readyz"]["status"] == 503 and out["/readyz"]["seconds"] < bound
    assert json.loads(out["/readyz"]["body"])["database"] != "ok"


def test_hung_database_gives_a_friendly_503_within_the_connect_timeout(tmp_path, silent_server):
    url = f"postgres://readlist@127.0.0.1:{silent_server.port}/readlist"
    out = run_django(
        PROBE,
        tmp_path,
        DATABASE_URL=url,
        DATABASE_CONNECT_TIMEOUT="4",
        READLIST_READYZ_TIMEOUT="1",
    )
    assert out["options"]["connect_timeout"] == 4
    # sslmode=prefer may try twice (with and without TLS): two connect timeouts, plus room for
    # a loaded machine. Without the timeout the request waits for ever (the child is killed).
    assert_outage_handled(out, bound=12)
    # /readyz gives up at its own bound while the connection attempt still waits.
    assert out["/readyz"]["seconds"] < 3
    assert json.loads(out["/readyz"]["body"])["database"] == "timeout"


def test_refused_database_gives_a_friendly_503_without_waiting(tmp_path):
    url = f"postgres://readlist@127.0.0.1:{free_port()}/readlist"
    # A long connect timeout: a refused connection must not wait for it.
    out = run_django(PROBE, tmp_path, DATABASE_URL=url, DATABASE_CONNECT_TIMEOUT="30")
    assert_outage_handled(out, bound=10)


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the statement timeout is PostgreSQL's: set DATABASE_URL to a PostgreSQL database",
)
@pytest.mark.django_db
def test_connections_carry_the_statement_timeout(settings):
    from django.db import connection

    # The suite's own connection was opened from the settings (default 30 s; PostgreSQL's is 0).
    assert settings.DATABASE_STATEMENT_TIMEOUT_MS == 30_000
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
