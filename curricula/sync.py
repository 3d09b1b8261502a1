"""Keeping a curriculum in step with its published source: fetch, compare, prepare a revision.

Nothing here applies a change: a changed text is stored as a SourceUpdate with its dry-run
report, and an admin previews and applies it like an upload. A failed or doubtful fetch (a
network error, a 5xx, a body over the size cap, text that does not parse) changes nothing
but the status line: what was known stays.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from curricula.models import Curriculum, SourceUpdate
from curricula.services import ImportRejected, curriculum_import, read_source
from readlist import http


@dataclass
class SyncOutcome:
    curriculum: str
    outcome: str  # unchanged, prepared, already_prepared, ignored, error
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
    existing = (
        SourceUpdate.objects.filter(curriculum=curriculum, sha256=sha)
        .select_related("dismissed_by")
        .first()
    )
    if existing is not None and existing.dismissed_at is not None:
        who = existing.dismissed_by.get_username() if existing.dismissed_by else "an admin"
        detail = f"this text was ignored by {who} on {existing.dismissed_at:%Y-%m-%d}"
        outcome = done("ignored", detail, **validators)
        outcome.update_id = existing.pk
        return outcome
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


def source_update_dismiss(*, actor: Any, curriculum_id: int, update_id: int) -> bool:
    """ "Ignore this update": the update is no longer offered, and who did it when is kept.

    A conditional UPDATE, so an update applied or ignored meanwhile (another admin, another
    tab) is left alone; False then. The row stays, and its text is never prepared again:
    only a different text from the source is offered next.
    """
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only staff can ignore a source update.")
    return bool(
        SourceUpdate.objects.filter(
            pk=update_id,
            curriculum_id=curriculum_id,
            applied_in__isnull=True,
            dismissed_at__isnull=True,
        ).update(dismissed_at=timezone.now(), dismissed_by=actor)
    )


def check_all_sources() -> list[SyncOutcome]:
    return [
        curriculum_source_check(curriculum=curriculum)
        for curriculum in Curriculum.objects.exclude(source_url="").order_by("pk")
    ]
