"""`manage.py fetch_arxiv`: arXiv metadata and title verification without a worker."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from curricula.arxiv.client import ArxivClient, ArxivUnavailable
from curricula.arxiv.services import arxiv_fetch
from curricula.linkhealth import selectors
from curricula.management.progress import ProgressBar
from curricula.management.selection import add_selection_arguments, checked_selection


class Command(BaseCommand):
    help = "Fetch arXiv metadata now: never-fetched or week-old papers (--stale) or all (--all)."

    def add_arguments(self, parser):
        add_selection_arguments(parser, noun="papers")
        parser.add_argument("--no-verify", action="store_true", help="Skip title verification.")

    def handle(self, *args, stale, all, curriculum, limit, no_verify, **options):
        limit = checked_selection(curriculum=curriculum, limit=limit)
        ids = selectors.arxiv_due(limit=limit, curriculum=curriculum, everything=all)
        if not ids:
            self.stdout.write("Nothing to fetch.")
            return
        bar = ProgressBar(len(ids), label="Fetching", stream=self.stderr._out)
        totals: dict[str, int] = {}
        with ArxivClient() as client:
            step = client.batch_size
            for start in range(0, len(ids), step):
                try:
                    counts = arxiv_fetch(
                        resource_ids=ids[start : start + step], client=client, verify=not no_verify
                    )
                except ArxivUnavailable as exc:
                    raise CommandError(
                        f"arXiv is unavailable: {exc}. Nothing was marked missing."
                    ) from None
                for key, value in counts.items():
                    if key not in ("requests", "mostly_empty"):
                        totals[key] = totals.get(key, 0) + value
                bar(min(start + step, len(ids)))
            totals["requests"] = client.requests
        for key, value in sorted(totals.items()):
            if key != "mostly_empty":
                self.stdout.write(f"  {key}: {value}")
        unanswered = totals.get("unanswered", 0)
        if unanswered * 2 > len(ids):
            raise CommandError(
                f"arXiv answered {unanswered} of {len(ids)} papers with empty feeds: "
                "nothing was marked missing; try again later."
            )
        self.stdout.write(self.style.SUCCESS(f"Fetched metadata for {len(ids)} papers."))
