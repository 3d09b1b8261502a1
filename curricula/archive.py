"""A dead link is not the end: the last good snapshot in the Wayback Machine.

Asked through the Wayback availability API (`archive.org/wayback/available`) via
readlist/http.py, once a link is confirmed broken. The API being down, slow or answering
nonsense is *unavailable*: nothing stored changes, and the next run asks again. An answer with
no snapshot is remembered as checked, but never erases a snapshot found before."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from curricula.models import Resource
from curricula.verify import titles_verify
from readlist import http

log = logging.getLogger(__name__)
RECHECK = timedelta(days=7)


class ArchiveUnavailable(RuntimeError):
    """The availability API gave no usable answer."""


@dataclass(frozen=True)
class Snapshot:
    url: str
    taken_at: datetime | None


def wayback_lookup(url: str, *, client=None) -> Snapshot | None:
    """The closest good snapshot of `url`, None when the archive has none."""
    own = client is None
    client = client or http.make_client(max_connections=2)
    try:
        result = http.fetch(
            settings.READLIST_WAYBACK_API_URL,
            client=client,
            params={"url": url},
            max_bytes=256 * 1024,
            total_timeout=settings.READLIST_WAYBACK_TIMEOUT,
            headers={"Accept": "application/json"},
        )
    finally:
        if own:
            client.close()
    if result.error or result.status != 200:
        raise ArchiveUnavailable(result.error or f"HTTP {result.status}")
    try:
        data = json.loads(result.body)
        snapshots = data["archived_snapshots"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ArchiveUnavailable(f"not an availability answer: {exc}") from None
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not closest or not closest.get("available") or str(closest.get("status")) != "200":
        return None
    snapshot_url = str(closest.get("url", ""))
    if not snapshot_url.startswith(("http://", "https://")):
        return None
    taken_at = None
    stamp = str(closest.get("timestamp", ""))
    if len(stamp) >= 8 and stamp.isdigit():
        try:
            taken_at = datetime.strptime(stamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(
                tzinfo=UTC
            )
        except ValueError:
            taken_at = None
    return Snapshot(
        snapshot_url.replace("http://web.archive.org", "https://web.archive.org"), taken_at
    )


def resources_find_archives(ids: Iterable[int] | None = None, *, limit: int = 50) -> dict[str, int]:
    """Look up snapshots for confirmed-broken links not looked up this week."""
    now = timezone.now()
    due = Resource.objects.filter(health=Resource.Health.BROKEN).filter(
        Q(archive_checked_at__isnull=True) | Q(archive_checked_at__lt=now - RECHECK)
    )
    if ids is not None:
        due = due.filter(id__in=list(ids))
    counts = {"found": 0, "none": 0, "unavailable": 0}
    client = http.make_client(max_connections=2)
    try:
        for resource in due.order_by(F("archive_checked_at").asc(nulls_first=True), "id")[:limit]:
            try:
                snapshot = wayback_lookup(resource.url, client=client)
            except ArchiveUnavailable as exc:
                log.info("Wayback unavailable: %s", exc)
                counts["unavailable"] += 1
                break  # the archive is having a bad day: ask again next run
            fields = {"archive_checked_at": now}
            if snapshot is not None:
                fields |= {"archived_url": snapshot.url[:2000], "archived_at": snapshot.taken_at}
                counts["found"] += 1
            else:
                counts["none"] += 1  # a snapshot found before stays
            Resource.objects.filter(pk=resource.pk).update(**fields)
    finally:
        client.close()
    return counts


def resources_find_replacements(*, client, max_searches: int = 25) -> dict[str, int]:
    """For papers whose link is confirmed broken: arXiv searched by each entry's label, within
    the title checks' rotating search budget (oldest searched first). Candidates the judge
    supports above the minimum score are offered as "replace with …" on the link-health page
    and accepted through verify.entry_accept_suggestion; arXiv answering nothing or failing
    keeps what was found before."""
    ids = list(
        Resource.objects.filter(
            health=Resource.Health.BROKEN, kind=Resource.Kind.PAPER
        ).values_list("id", flat=True)
    )
    if not ids:
        return {}
    return titles_verify(resource_ids=ids, client=client, max_searches=max_searches)


def resource_use_archive(*, actor, resource: Resource) -> bool:
    """The curator chose the archived copy: the link now points at the snapshot."""
    from curricula.linkhealth.services import resource_accept_move

    if not resource.archived_url:
        return False
    resource.moved_to = resource.archived_url
    return resource_accept_move(actor=actor, resource=resource)
