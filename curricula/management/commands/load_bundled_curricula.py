"""`manage.py load_bundled_curricula`: import the curricula shipped in curricula/bundled/."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curricula.models import Revision
from curricula.services import ImportRejected, curriculum_import, read_source

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "bundled"
# Slug, files in the order they were written (older revisions first), and a title for lists
# that have no heading of their own.
BUNDLED = [
    ("training-roles", ["training-roles.r1.md", "training-roles.md"], None),
    ("elicit", ["elicit.md"], None),
    ("llm-tricks", ["llm-tricks.md"], "LLM training tricks"),
]


class Command(BaseCommand):
    help = "Import the bundled curricula; files already imported are skipped, so it is idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--verbose-report", action="store_true", help="Print full reports.")

    def handle(self, *args, verbose_report: bool = False, **options):
        changed = 0
        for slug, files, title in BUNDLED:
            for name in files:
                path = BUNDLED_DIR / name
                try:
                    text = read_source(path.read_bytes())
                except (OSError, ImportRejected) as exc:
                    raise CommandError(f"Cannot read bundled file {path}: {exc}") from None
                sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
                # A file once imported is never re-applied: that would undo later revisions
                # (001 after 000) and curators' edits.
                if Revision.objects.filter(curriculum__slug=slug, sha256=sha).exists():
                    continue
                try:
                    result = curriculum_import(
                        actor=None, text=text, slug=slug, title=title, source_name=name
                    )
                except ImportRejected as exc:
                    raise CommandError(f"{name}: {exc.message}") from None
                if result.changed:
                    changed += 1
                    entries = result.summary["entries"]
                    self.stdout.write(
                        f"{slug}: imported {name} as r{result.revision.number} "
                        f"({entries['total']} entries, {entries['added']} new, "
                        f"{entries['retired']} retired)"
                    )
                if verbose_report:
                    self.stdout.write(result.report)
        if not changed:
            self.stdout.write("Bundled curricula are up to date: nothing changed.")
