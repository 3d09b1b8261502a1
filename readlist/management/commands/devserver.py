"""`make run`: migrate, load the curricula, create demo accounts, serve with worker and beat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


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
        env = {**os.environ, "DEBUG": "1", "PYTHONUNBUFFERED": "1"}
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
                    f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
                ]
            )
        self.stdout.write(self.style.SUCCESS(f"Serving on http://127.0.0.1:{port}/ (Ctrl-C stops)"))
        children = [subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR) for cmd in commands]  # noqa: S603
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c.args for c in children if c.returncode not in (0, -2, None, 1)]
        if failed:
            raise CommandError(f"a process stopped unexpectedly: {failed[0][2:4]}")
