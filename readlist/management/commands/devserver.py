"""`make run`: migrate, load the curricula, create demo accounts, serve with worker and beat."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from readlist.celery import all_queues


class _StopRequests:
    """Signal handlers that only take note. An operator stopping the process group (TERM to the
    group, which `make` also forwards to us) sends the signal more than once; a handler that
    raised would cut the stopping itself short and leave children running."""

    def __init__(self) -> None:
        self.signals: list[int] = []

    def __call__(self, signum, frame) -> None:
        self.signals.append(signum)

    def __bool__(self) -> bool:
        return bool(self.signals)

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self)


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _stop(children: list[subprocess.Popen], grace: float = 8.0) -> None:
    """SIGINT every child's group (a warm shutdown); after `grace` seconds, SIGKILL what is left
    (the worker waits for its running tasks on SIGINT: a hung one must not keep it alive).

    The filesystem broker has taken a task off the queue once a worker received it, so one cut
    short here is not delivered again; its links and papers are still due, and the next
    scheduled run takes them up (docs/workers.md).
    """
    for child in children:
        _signal_group(child, signal.SIGINT)
    deadline = time.monotonic() + grace
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
    for child in children:
        _signal_group(child, signal.SIGKILL)
        child.wait()


class Command(BaseCommand):
    help = "Run Readlist locally: web server, Celery worker and beat, with demo data."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="Serve without Celery.")

    def handle(self, *args, port: int, no_worker: bool, **options):
        if not settings.DEBUG and not os.environ.get("DEBUG"):
            # The dev runner is for a laptop: turn DEBUG on for the child processes too.
            os.environ["DEBUG"] = "1"
        if not settings.DEBUG:
            raise CommandError("devserver only runs with DEBUG=1 (it creates demo accounts).")
        for folder in ("celery/queue", "celery/control", "cache", "mail"):
            (settings.VAR_DIR / folder).mkdir(parents=True, exist_ok=True)

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        call_command("load_bundled_curricula", stdout=self.stdout)
        call_command("create_demo_accounts", stdout=self.stdout)

        python = sys.executable
        # The demo never reaches the internet unless asked: links and arXiv stay unchecked
        # (runs are recorded as inconclusive) until READLIST_FETCH_INTERNET=1 make run.
        env = {
            "READLIST_FETCH_INTERNET": "0",
            **os.environ,
            "DEBUG": "1",
            "PYTHONUNBUFFERED": "1",
        }
        commands = [
            [python, "manage.py", "runserver", f"127.0.0.1:{port}"],
        ]
        if not no_worker:
            commands.append(
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "readlist",
                    "worker",
                    "--beat",
                    "--loglevel=INFO",
                    "--concurrency=2",
                    f"--queues={','.join(all_queues())}",
                    f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
                ]
            )
        self.stdout.write(self.style.SUCCESS(f"Serving on http://127.0.0.1:{port}/ (Ctrl-C stops)"))
        # From here on Ctrl-C, `kill` and TERM to the process group all stop every child, once
        # and completely, however many times the signal comes.
        stop = _StopRequests()
        stop.install()
        children: list[subprocess.Popen] = []
        died = None
        try:
            # Each child leads its own process group, so stopping it also stops what it forked
            # (runserver's autoreloader, the worker's pool and beat).
            for cmd in commands:
                if stop:
                    break
                child = subprocess.Popen(  # noqa: S603 - our own fixed commands
                    cmd, env=env, cwd=settings.BASE_DIR, start_new_session=True
                )
                children.append(child)
                name = "web server" if "runserver" in cmd else "worker"
                self.stdout.write(f"{name}: process group {child.pid}")
            while died is None and not stop:
                died = next((c for c in children if c.poll() is not None), None)
                time.sleep(0.2)
            if stop:
                self.stdout.write("Stopping…")
        finally:
            _stop(children)
        if died is not None:
            name = "the web server" if "runserver" in died.args else "the Celery worker"
            raise CommandError(
                f"{name} stopped with exit code {died.returncode} (see its output above); "
                "everything else was stopped too."
            )
