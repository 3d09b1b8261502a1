"""`manage.py check_links`: the link checker without a worker, with a progress bar."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from curricula.arxiv.client import ArxivClient
from curricula.linkhealth import selectors, services
from curricula.management.progress import ProgressBar
from curricula.management.selection import add_selection_arguments, checked_selection
from curricula.models import Resource
from curricula.verify import titles_verify


class Command(BaseCommand):
    help = "Check links now: due ones (--stale, the default) or every one (--all)."

    def add_arguments(self, parser):
        add_selection_arguments(parser, noun="links")
        parser.add_argument(
            "--no-verify", action="store_true", help="Do not compare page titles afterwards."
        )

    def handle(self, *args, stale, all, curriculum, limit, no_verify, **options):
        limit = checked_selection(curriculum=curriculum, limit=limit)
        ids = selectors.resources_due(limit=limit, curriculum=curriculum, everything=all)
        if not ids:
            self.stdout.write("Nothing to check.")
            return
        bar = ProgressBar(len(ids), label="Checking", stream=self.stderr._out)
        run = services.linkcheck_run(resource_ids=ids, trigger="command", progress=bar)
        self.stdout.write(f"Run {run.id}: {run.note}")
        for outcome, count in sorted(run.counts.items()):
            self.stdout.write(f"  {outcome}: {count}")
        if run.inconclusive:
            self.stdout.write(
                self.style.WARNING("Inconclusive: the checker looks offline; nothing changed.")
            )
            return
        if not no_verify:
            pages = list(
                Resource.objects.filter(id__in=ids, arxiv_id="").values_list("id", flat=True)
            )
            with ArxivClient() as client:
                counts = titles_verify(resource_ids=pages, client=client)
            self.stdout.write(f"Page titles verified: {counts}")
        self.stdout.write(self.style.SUCCESS(f"Checked {len(ids)} links."))
