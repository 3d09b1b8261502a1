"""`manage.py export_curriculum SLUG [--format …] [-o FILE]`: write a curriculum out."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curricula.exporter import FORMATS, export
from curricula.models import Curriculum


class Command(BaseCommand):
    help = "Export a curriculum as Markdown (re-importable), BibTeX or CSL-JSON (papers only)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=sorted(FORMATS), default="markdown")
        parser.add_argument("-o", "--output", help="Write to this file instead of stdout.")

    def handle(self, *args, slug: str, format: str, output: str | None, **options):
        curriculum = Curriculum.objects.filter(slug=slug).first()
        if curriculum is None:
            known = ", ".join(Curriculum.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No curriculum “{slug}” (known: {known}).")
        text = export(curriculum, format)
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from None
            self.stderr.write(f"Wrote {output} ({len(text.encode()):,} bytes).")
        else:
            self.stdout.write(text, ending="")
