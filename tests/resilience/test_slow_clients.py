"""Slow clients against the production web stack: gunicorn from deploy/gunicorn.conf.py and, when
nginx is installed, nginx from deploy/nginx/nginx.conf in front of it, both run as processes
on loopback (there is no Docker engine here; the compose file starts the same two).

Slow clients hold connections open with partial headers (slowloris) or dribbled bodies; the
site must still answer /healthz promptly, and a 200 MB upload to the sign-in page must be
refused from its headers, not read and written to disk.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import pytest

from tests.resilience.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"
NGINX_CONF = REPO / "deploy" / "nginx" / "nginx.conf"
# Far above a healthy answer (milliseconds), far below "frozen" (a sync worker per slow
# client: the probe waits until a client gives up, 30 s and more).
ANSWER_BOUND = 5.0
# Debian installs nginx in /usr/sbin, which is not on every user's PATH.
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
)
# Any well-formed CSRF cookie makes Django read a POST's form (and its files) to compare tokens;
# without one the POST is refused before its body is read.
CSRF_COOKIE = "k" * 32


def http_get(port: int, path: str = "/healthz", timeout: float = ANSWER_BOUND) -> tuple[int, float]:
    """Status and seconds of one GET over a fresh connection; status 0 when it timed out."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
            )
            head = sock.recv(64)
    except OSError:
        return 0, time.monotonic() - started
    parts = head.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return status, time.monotonic() - started


def wait_until_up(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()[-3000:]}")
        if http_get(port, timeout=2)[0] == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"server did not answer /healthz: {log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def gunicorn(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """gunicorn -c deploy/gunicorn.conf.py, as the compose web service runs it."""
    port = free_port()
    uploads = tmp_path / "tmp"
    uploads.mkdir()
    log = tmp_path / "gunicorn.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))},
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "READLIST_DOTENV": str(tmp_path / "no.env"),
        "READLIST_TESTING": "1",
        "READLIST_VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "0",
        "SECRET_KEY": "test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "TMPDIR": str(uploads),
    }
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603  (this interpreter, our config)
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(port, process, log)
        yield port, uploads
    finally:
        stop(process)


def render_nginx_conf(upstream: int, listen: int, workdir: Path) -> str:
    """deploy/nginx/nginx.conf with only the addresses and paths of this machine changed."""
    text = NGINX_CONF.read_text()
    for old, new in [
        ("user nginx;\n", ""),  # as root, workers drop to nobody; as anyone else, ignored
        ("server web:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
        ("access_log /dev/stdout;", "access_log off;"),
    ]:
        assert text.count(old) == 1, f"deploy/nginx/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    assert "/var/cache/nginx/" in text
    text = text.replace("/var/cache/nginx/", f"{workdir}/")
    if not Path("/etc/nginx/mime.types").exists():
        text = text.replace("include /etc/nginx/mime.types;", "")
    return text


@contextmanager
def nginx(upstream: int, tmp_path: Path) -> Iterator[int]:
    port = free_port()
    workdir = tmp_path / "nginx"
    workdir.mkdir()
    workdir.chmod(0o777)  # nginx's workers write their temp files here as "nobody"
    conf = workdir / "nginx.conf"
    conf.write_text(render_nginx_conf(upstream, port, workdir))
    log = workdir / "error.log"
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603
            [
                NGINX or "nginx",
                "-p", str(workdir),
                "-c", str(conf),
                "-e", "stderr",
                "-g", f"daemon off; pid {workdir}/nginx.pid;",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_up(port, process, log)
        yield port
    finally:
        stop(process)


def slow_clients(stack: ExitStack, port: int, count: int) -> list[socket.socket]:
    """Half send headers without ever finishing them; half finish headers and dribble a body."""
    held = []
    for i in range(count):
        sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
        if i % 2:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        else:
            sock.sendall(
                b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + f"Cookie: csrftoken={CSRF_COOKIE}\r\n".encode()
                + b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100000\r\n\r\nlogin=a"
            )
        held.append(sock)
    return held


def assert_still_answers(port: int, held: list[socket.socket]) -> None:
    # The slow clients keep trickling, as slowloris does, between the probes.
    for _ in range(3):
        for sock in held:
            with suppress(OSError):  # the server dropped it: also fine
                sock.sendall(b"a")
        status, seconds = http_get(port)
        assert status == 200, f"/healthz did not answer within {ANSWER_BOUND} s"
        assert seconds < ANSWER_BOUND


def huge_upload_status(port: int) -> int:
    """A 200 MB multipart POST to the sign-in page, as a browser with its CSRF cookie would send
    it: the status, after at most 1 MB was sent."""
    boundary = "readlistboundary"
    head = (
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: csrftoken={CSRF_COOKIE}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        try:
            for _ in range(16):
                sock.sendall(b"\0" * 65536)
        except OSError:
            pass  # refused and closed before the first megabyte: what we want
        try:
            answer = sock.recv(64)
        except OSError:
            return 0
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


@pytest.fixture(scope="module")
def web(tmp_path_factory) -> Iterator[tuple[int, Path]]:
    """One gunicorn for the module: starting Django in two workers is most of the cost."""
    with gunicorn(tmp_path_factory.mktemp("web")) as running:
        yield running


def uploaded_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_gunicorn_config_keeps_answering_with_slow_clients_and_refuses_huge_bodies(web):
    port, uploads = web
    with ExitStack() as stack:
        # Exposed directly (no proxy), the threads still outnumber a handful of slow clients.
        held = slow_clients(stack, port, 6)
        assert_still_answers(port, held)
        assert huge_upload_status(port) == 413
    assert uploaded_files(uploads) == []


@pytest.mark.skipif(
    not NGINX and os.environ.get("READLIST_REQUIRE_PROXY") != "1",
    reason="nginx is not installed (CI installs it and sets READLIST_REQUIRE_PROXY=1)",
)
def test_behind_nginx_many_slow_clients_do_not_reach_gunicorn(web, tmp_path):
    upstream, uploads = web
    with nginx(upstream, tmp_path) as port, ExitStack() as stack:
        # Far more than gunicorn's threads (2 workers x 8): nginx holds them all.
        held = slow_clients(stack, port, 60)
        assert_still_answers(port, held)
        assert huge_upload_status(port) == 413
    assert uploaded_files(uploads) == []
