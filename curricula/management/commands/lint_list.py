"""`manage.py lint_list FILE`: check a Markdown reading list before it ships, storing nothing.

What a maintainer of a public reading list runs in their own CI: the importer's parse (its
warnings, skipped and refused links), then every arXiv link's label judged against the paper
(title, abstract, authors, year) and every other link fetched once (dead: 404/410; its page
title judged too). Exits 1 on a wrong paper or a dead link; what cannot be judged now (arXiv
or a site not answering) is a warning, not a failure."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from curricula.arxiv.client import ArxivClient, ArxivUnavailable
from curricula.importer.parser import parse_markdown
from curricula.linkhealth import checker
from curricula.linkhealth.politeness import Grant
from curricula.verdicts.judge import WRONG, Work, judge, page_work
from readlist import http


class LocalGate:
    """In-process politeness for one command run: nothing stored, one request at a time."""

    def __init__(self) -> None:
        self.next_at: dict[str, float] = {}

    def acquire(self, host, *, interval, limit, lease=60.0, scope="web", **_) -> Grant:
        now = time.time()
        wait = self.next_at.get(f"{scope}:{host}", 0.0) - now
        if wait > 0:
            return Grant(wait=wait)
        self.next_at[f"{scope}:{host}"] = now + interval
        return Grant(token="local")  # noqa: S106 (a lease name, not a secret)

    def release(self, host, token, *, scope="web") -> None:
        return None

    def defer(self, host, until, *, scope="web") -> None:
        key = f"{scope}:{host}"
        self.next_at[key] = max(self.next_at.get(key, 0.0), until)

    def deferred_until(self, host, *, scope="web"):
        return None


class Command(BaseCommand):
    help = "Lint a Markdown reading list: wrong papers and dead links fail it. Stores nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The Markdown list ('-' reads standard input).")
        parser.add_argument(
            "--offline", action="store_true", help="Only parse: no arXiv, no link checks."
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args, file: str, offline: bool, format: str, **options):
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        parsed = parse_markdown(text)
        problems: list[dict] = []
        warnings: list[dict] = [{"line": 0, "message": w} for w in parsed.warnings]
        for link in [*parsed.skipped, *parsed.refused]:
            warnings.append({"line": getattr(link, "line", 0), "message": _describe(link)})
        entries = [e for e in parsed.entries if e.url]
        if not offline:
            self._check_papers(parsed, entries, problems, warnings)
            self._check_pages(parsed, entries, problems, warnings)
        self._report(parsed, entries, problems, warnings, format)
        if problems:
            raise CommandError(f"{len(problems)} problem(s): wrong papers or dead links.")

    def _check_papers(self, parsed, entries, problems, warnings) -> None:
        by_id: dict[str, list] = {}
        for entry in entries:
            canonical = parsed.canonical.get(entry.url)
            if canonical is not None and canonical.arxiv_id:
                by_id.setdefault(canonical.arxiv_id, []).append(entry)
        if not by_id:
            return
        try:
            with ArxivClient(gate=LocalGate()) as client:
                lookup = client.fetch_ids(list(by_id))
        except ArxivUnavailable as exc:
            warnings.append({"line": 0, "message": f"arXiv unavailable, papers not judged: {exc}"})
            return
        for arxiv_id, listed in by_id.items():
            paper = lookup.papers.get(arxiv_id)
            for entry in listed:
                where = {"line": entry.line, "title": entry.title, "url": entry.url}
                if paper is not None:
                    year = paper.published.year if paper.published else None
                    work = Work(paper.title, paper.abstract, paper.authors, year)
                    verdict = judge(entry.title, work, alias=entry.alias, date_text=entry.date_text)
                    if verdict.status == WRONG:
                        problems.append(
                            where
                            | {
                                "problem": "wrong paper?",
                                "message": f"arXiv:{arxiv_id} is “{paper.title}”: "
                                + "; ".join(verdict.evidence),
                            }
                        )
                elif arxiv_id in lookup.missing or arxiv_id in lookup.invalid:
                    problems.append(
                        where | {"problem": "dead link", "message": f"arXiv:{arxiv_id} not found"}
                    )
                else:
                    warnings.append(where | {"message": f"arXiv said nothing about {arxiv_id}"})

    def _check_pages(self, parsed, entries, problems, warnings) -> None:
        conf = checker.CheckSettings.from_settings()
        last: dict[str, float] = {}
        client = http.make_client(max_connections=4)
        try:
            for entry in entries:
                canonical = parsed.canonical.get(entry.url)
                if canonical is None or canonical.arxiv_id:
                    continue
                host = urlsplit(canonical.url).hostname or ""
                pause = last.get(host, 0.0) + conf.interval - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                outcome = checker.check_one(canonical.url, client=client, conf=conf)
                last[host] = time.monotonic()
                where = {"line": entry.line, "title": entry.title, "url": entry.url}
                if outcome.outcome in (checker.BROKEN, checker.SOFT_404):
                    status = outcome.status or outcome.outcome
                    problems.append(where | {"problem": "dead link", "message": f"{status}"})
                elif outcome.outcome in (checker.ERROR, checker.BLOCKED):
                    warnings.append(
                        where | {"message": f"not judged: {outcome.error or outcome.outcome}"}
                    )
                elif outcome.page_title:
                    verdict = judge(
                        entry.title,
                        page_work(outcome.page_title, outcome.page_description),
                        site=host,
                    )
                    if verdict.status == WRONG:
                        problems.append(
                            where
                            | {
                                "problem": "wrong page?",
                                "message": f"the page is “{outcome.page_title}”: "
                                + "; ".join(verdict.evidence),
                            }
                        )
        finally:
            client.close()

    def _report(self, parsed, entries, problems, warnings, format) -> None:
        if format == "json":
            payload = {
                "title": parsed.title,
                "entries": len(parsed.entries),
                "links": len(entries),
                "problems": problems,
                "warnings": warnings,
            }
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"{parsed.title or 'Untitled list'}: {len(parsed.entries)} entries, "
                          f"{len(entries)} links")  # fmt: skip
        for item in problems:
            self.stdout.write(
                f"line {item['line']}: {item['problem']} “{item['title']}” {item['url']}: "
                f"{item['message']}"
            )
        for item in warnings:
            prefix = f"line {item['line']}: " if item.get("line") else ""
            self.stdout.write(f"{prefix}warning: {item['message']}")
        if not problems:
            self.stdout.write(self.style.SUCCESS("No wrong papers, no dead links."))


def _describe(link) -> str:
    reason = getattr(link, "reason", "") or "skipped"
    url = getattr(link, "url", "")
    return f"{reason}: {url}"
