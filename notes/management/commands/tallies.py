"""Check or recount the tallies the managers' pages read (notes/tallies.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from notes import tallies


class Command(BaseCommand):
    help = (
        "Compare the managers' tallies with a fresh count of the progress rows and recount "
        "them when they differ. Run it after loading progress in bulk (loaddata, SQL) or "
        "after changing TIME_ZONE."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only report; exit with status 1 when anything differs.",
        )

    def handle(self, *args, check: bool = False, **options):
        found = tallies.drift()
        lines = sum(found.values())
        for table, n in found.items():
            verb = "line differs" if n == 1 else "lines differ"
            self.stdout.write(f"{table}: {n} {verb} from a fresh count")
        if not lines:
            self.stdout.write(self.style.SUCCESS("The tallies are in step."))
            return
        if check:
            raise CommandError(
                f"The tallies differ from a fresh count ({lines} in all); "
                "run `manage.py tallies` to recount."
            )
        tallies.refresh()
        self.stdout.write(self.style.SUCCESS("Recounted every tally."))
