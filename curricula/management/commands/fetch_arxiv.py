"""`manage.py fetch_arxiv`: arXiv metadata and title verification without a worker."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from curricula.arxiv.client import ArxivClient, ArxivUnavailable
from curricula.arxiv.services import arxiv_fetch
from curricula.linkhealth import selectors
from curricula.management.progress import ProgressBar
from curricula.models import Curriculum


class Command(BaseCommand):
    help = "Fetch arXiv metadata now: never-fetched or week-old papers (--stale) or all (--all)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--stale", action="store_true", help="Only papers that are due (default)."
        )
        which.add_argument("--all", action="store_true", help="Every arXiv paper.")
        parser.add_argument("--curriculum", metavar="SLUG", help="Only this curriculum's papers.")
        parser.add_argument("--limit", type=int, default=None, help="At most this many papers.")
        parser.add_argument("--no-verify", action="store_true", help="Skip title verification.")

    def handle(self, *args, stale, all, curriculum, limit, no_verify, **options):
        if curriculum and not Curriculum.objects.filter(slug=curriculum).exists():
            raise CommandError(f"No curriculum with slug {curriculum!r}.")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        ids = selectors.arxiv_due(limit=limit or 1_000_000, curriculum=curriculum, everything=all)
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
                    if key != "requests":
                        totals[key] = totals.get(key, 0) + value
                bar(min(start + step, len(ids)))
            totals["requests"] = client.requests
        for key, value in sorted(totals.items()):
            self.stdout.write(f"  {key}: {value}")
        self.stdout.write(self.style.SUCCESS(f"Fetched metadata for {len(ids)} papers."))
