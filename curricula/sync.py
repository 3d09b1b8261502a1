"""Keeping a curriculum in step with its published source: fetch, compare, prepare a revision.

Nothing here applies a change: a changed text is stored as a SourceUpdate with its dry-run
report, and an admin previews and applies it like an upload. A failed or doubtful fetch (a
network error, a 5xx, a body over the size cap, text that does not parse) changes nothing
but the status line: what was known stays.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from curricula.models import Curriculum, SourceUpdate
from curricula.services import ImportRejected, curriculum_import, read_source
from readlist import http


@dataclass
class SyncOutcome:
    curriculum: str
    outcome: str  # unchanged, prepared, already_prepared, error
    detail: str = ""
    update_id: int | None = None


def curriculum_source_check(*, curriculum: Curriculum) -> SyncOutcome:
    """Fetch the curriculum's source (conditionally) and prepare an update if it changed."""
    now = timezone.now()
    limit = settings.READLIST_IMPORT_MAX_BYTES
    headers = {"Accept": "text/markdown, text/plain;q=0.9, */*;q=0.1"}
    if curriculum.source_etag:
        headers["If-None-Match"] = curriculum.source_etag
    if curriculum.source_last_modified:
        headers["If-Modified-Since"] = curriculum.source_last_modified
    with http.make_client(max_connections=1) as client:
        result = http.fetch(
            curriculum.source_url, client=client, headers=headers, max_bytes=limit + 1
        )

    def done(outcome: str, detail: str = "", **extra) -> SyncOutcome:
        fields = {"source_checked_at": now, "source_status": f"{outcome}: {detail}"[:255]}
        fields.update(extra)
        Curriculum.objects.filter(pk=curriculum.pk).update(**fields)
        for name, value in fields.items():
            setattr(curriculum, name, value)
        return SyncOutcome(curriculum.slug, outcome, detail)

    if result.error:
        return done("error", f"{result.error} ({result.error_detail})"[:200])
    if result.status == 304:
        return done("unchanged", "not modified since the last check")
    if result.status != 200:
        return done("error", f"HTTP {result.status}")
    if result.truncated or len(result.body) > limit:
        return done("error", f"larger than the import limit of {limit:,} bytes")
    validators = {
        "source_etag": (result.headers.get("etag") or "")[:255],
        "source_last_modified": (result.headers.get("last-modified") or "")[:64],
    }
    try:
        text = read_source(result.body)
    except ImportRejected as exc:
        return done("error", exc.message)
    sha = hashlib.sha256(text.encode()).hexdigest()
    latest = curriculum.revisions.order_by("-number").first()
    if latest is not None and latest.sha256 == sha:
        return done("unchanged", "same text as the current revision", **validators)
    existing = SourceUpdate.objects.filter(curriculum=curriculum, sha256=sha).first()
    if existing is not None:
        outcome = done("already_prepared", "waiting for an admin", **validators)
        outcome.update_id = existing.pk
        return outcome
    try:
        preview = curriculum_import(
            actor=None,
            text=text,
            slug=curriculum.slug,
            source_name=curriculum.source_url.rsplit("/", 1)[-1] or "source",
            dry_run=True,
        )
    except ImportRejected as exc:
        return done("error", exc.message)
    if not preview.changed:
        return done("unchanged", "the text differs but imports to the same", **validators)
    try:
        with transaction.atomic():
            update = SourceUpdate.objects.create(
                curriculum=curriculum,
                fetched_at=now,
                sha256=sha,
                text=text,
                summary_text=preview.report,
            )
    except IntegrityError:  # another worker prepared the same text at the same time
        return done("already_prepared", "waiting for an admin", **validators)
    outcome = done("prepared", "a changed list waits for an admin", **validators)
    outcome.update_id = update.pk
    return outcome


def check_all_sources() -> list[SyncOutcome]:
    return [
        curriculum_source_check(curriculum=curriculum)
        for curriculum in Curriculum.objects.exclude(source_url="").order_by("pk")
    ]
