"""A PDF link's own title, for the title verdict: the document's /Title metadata, else the
first line of its first page that reads like a title.

pypdf (pure Python, well kept) parses it; the bytes are capped by the fetch and the parse runs
in a worker thread with a deadline, so a huge or hostile PDF costs at most that long."""

from __future__ import annotations

import io
import logging
import re
import threading

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from curricula.models import Resource
from readlist import http

log = logging.getLogger(__name__)
_JUNK_TITLE = re.compile(
    r"^(?:untitled|microsoft word|document\d*|slide \d+|title|\s*)$|\.(?:docx?|tex|dvi|pdf)$",
    re.IGNORECASE,
)


def _title_from(body: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body), strict=False)
    meta = reader.metadata
    title = " ".join(str(meta.title or "").split()) if meta else ""
    if title and not _JUNK_TITLE.search(title) and not title.lower().startswith("microsoft word"):
        return title[:500]
    if not reader.pages:
        return ""
    text = reader.pages[0].extract_text() or ""
    for line in text.splitlines():
        line = " ".join(line.split())
        if len(line.split()) >= 2 and len(line) <= 200 and not re.match(r"^(arXiv|\d)", line):
            return line[:500]
    return ""


def pdf_title(body: bytes, *, timeout: float | None = None) -> str:
    """The title, or "" when there is none, the bytes are not a PDF, or parsing takes longer
    than `timeout` seconds (the thread is abandoned, not waited for)."""
    if not body.lstrip()[:5].startswith(b"%PDF-"):
        return ""
    timeout = settings.READLIST_PDF_PARSE_SECONDS if timeout is None else timeout
    found: list[str] = []

    def run() -> None:
        try:
            found.append(_title_from(body))
        except Exception as exc:  # a broken PDF has no title; it is not our error
            log.info("PDF title: %s", exc)

    worker = threading.Thread(target=run, daemon=True, name="pdf-title")
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or not found:
        return ""
    return found[0]


def resources_read_pdf_titles(*, limit: int = 20) -> list[int]:
    """Read the titles of healthy PDF links (not arXiv: its metadata says more) that have none;
    returns the ids that got one. Each run takes `limit` of them, never tried first, then those
    tried longest ago (NULLs first on PostgreSQL and SQLite alike), and stamps them tried before
    fetching: PDFs that never give a title (too large, scanned, broken) rotate instead of
    taking the whole batch every night."""
    candidates = list(
        Resource.objects.filter(arxiv_id="", page_title="", health=Resource.Health.OK)
        .filter(Q(url__iendswith=".pdf") | Q(url__icontains=".pdf?"))
        .order_by(F("pdf_title_tried_at").asc(nulls_first=True), "id")[:limit]
    )
    Resource.objects.filter(pk__in=[r.pk for r in candidates]).update(
        pdf_title_tried_at=timezone.now()
    )
    done = []
    client = http.make_client(max_connections=2)
    try:
        for resource in candidates:
            result = http.fetch(
                resource.url,
                client=client,
                max_bytes=settings.READLIST_PDF_MAX_BYTES,
                total_timeout=30.0,
            )
            if result.error or result.status != 200 or result.truncated:
                continue  # a PDF too large to read whole is left without a title
            title = pdf_title(result.body)
            if title:
                Resource.objects.filter(pk=resource.pk).update(
                    page_title=title, verified_at=timezone.now()
                )
                done.append(resource.pk)
    finally:
        client.close()
    return done
