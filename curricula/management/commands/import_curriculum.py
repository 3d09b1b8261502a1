"""`manage.py import_curriculum FILE --curriculum SLUG`: import a Markdown reading list."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curricula.services import ImportRejected, curriculum_import, read_bundle


class Command(BaseCommand):
    help = "Import a Markdown reading list into a curriculum (a new revision when it changed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="Markdown file to import ('-' reads standard input), or a folder or .zip of "
            "Markdown files: its README.md and every file it links to, as one curriculum.",
        )
        parser.add_argument("--curriculum", required=True, metavar="SLUG")
        parser.add_argument("--title", help="Curriculum title (default: the file's own title).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the change report; change nothing."
        )
        parser.add_argument(
            "--keep-work",
            action="append",
            default=[],
            metavar="OLD_URL",
            help="A relinked entry (by its old URL) whose new link is another work: people's "
            "status and notes stay on the old link. Repeat it, or give '*' for all.",
        )
        parser.add_argument(
            "--follow-work",
            action="append",
            default=[],
            metavar="OLD_URL",
            help="A relinked entry the report marks 'different work?' (another paper under a "
            "dissimilar title), whose people's status and notes should follow it anyway; by "
            "default they stay. Repeat it, or give '*' for all.",
        )
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="The change report as text (default) or as JSON for scripts.",
        )

    def handle(
        self,
        *args,
        file: str,
        curriculum: str,
        title: str | None,
        dry_run: bool,
        format: str = "text",
        keep_work: list[str] | None = None,
        follow_work: list[str] | None = None,
        **opts,
    ):
        try:
            data = self._read(file)
            result = curriculum_import(
                actor=None,
                text=data,
                slug=curriculum,
                title=title,
                source_name=Path(file).name if file != "-" else "stdin",
                dry_run=dry_run,
                keep_work=keep_work or [],
                follow_work=follow_work or [],
            )
        except ImportRejected as exc:
            raise CommandError(exc.message) from None
        if format == "json":
            payload = {
                "headline": result.report.splitlines()[0],
                "changed": result.changed,
                "dry_run": dry_run,
                "revision": result.revision.number if result.revision else None,
                "warnings": result.warnings,
                "summary": result.summary,
            }
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
            return
        self.stdout.write(result.report)

    def _read(self, file: str) -> bytes:
        import sys

        if file == "-":
            return sys.stdin.buffer.read()
        path = Path(file)
        if path.is_dir():
            return read_bundle(folder=path).encode()
        try:
            if path.suffix.lower() == ".zip":
                return read_bundle(zip_data=path.read_bytes()).encode()
            return path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from None
