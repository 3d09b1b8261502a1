"""Store arXiv metadata on resources: found papers get their fields; what arXiv leaves out is
judged over time, never from one bad answer.

- A paper found before and missing now (or called an invalid id now) is inconclusive until it
  is missing again on a later day (a flap guard, as links have); only then is it not_found.
- Ids in a batch that came back empty after the client's retries are unanswered: nothing is
  written about them.
- A run whose answers are mostly empty says so (`mostly_empty`); callers exit non-zero."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from curricula.arxiv.atom import Paper
from curricula.arxiv.changes import notice_changes, paper_changes
from curricula.arxiv.client import ArxivClient, ArxivUnavailable
from curricula.linkhealth.services import resources_claim, resources_release
from curricula.models import Resource
from curricula.verify import titles_verify

Status = Resource.ArxivStatus


def _apply(resource: Resource, paper: Paper) -> None:
    before = paper_changes(resource)
    newer = (paper.version or 0) > (resource.latest_version or 0)
    if resource.title and paper.title != resource.title and newer and resource.latest_version:
        resource.title_before = resource.title  # superseded by a retitled version
    resource.title = paper.title
    resource.authors = paper.authors
    resource.abstract = paper.abstract
    resource.published = paper.published
    resource.updated = paper.updated
    resource.latest_version = paper.version
    resource.primary_category = paper.primary_category[:40]
    resource.categories = paper.categories
    resource.journal_ref = paper.journal_ref
    resource.comment = paper.comment
    resource.pdf_url = paper.pdf_url[:2000]
    if paper.doi and not resource.doi:
        resource.doi = paper.doi[:255]
    resource.arxiv_status = Status.FOUND
    resource.arxiv_missing_since = None
    notice_changes(resource, before, timezone.now())


def _missing_settled(resource: Resource, now) -> bool:
    """True when a missing id may be written as not found: it was never found, or it was
    missing already on an earlier day. Otherwise note when it went missing and wait."""
    if resource.arxiv_status != Status.FOUND:
        return True
    since = resource.arxiv_missing_since
    if since is not None and timezone.localdate(since) < timezone.localdate(now):
        return True
    if since is None:
        Resource.objects.filter(pk=resource.pk).update(arxiv_missing_since=now)
    return False


_FIELDS = [
    "title", "authors", "abstract", "published", "updated", "latest_version", "primary_category",
    "categories", "journal_ref", "comment", "pdf_url", "doi", "arxiv_status", "metadata_fetched_at",
    "arxiv_missing_since", "title_before", "changes_noticed_at", "changes_notified_at",
]  # fmt: skip


def arxiv_fetch(
    *, resource_ids: Iterable[int], client: ArxivClient | None = None, verify: bool = True
) -> dict[str, int]:
    """Fetch metadata for these resources (those another worker holds are skipped).

    Raises ArxivUnavailable when arXiv gives no usable answer: nothing is marked missing then."""
    token, claimed = resources_claim(resource_ids, field="fetch")
    own_client = client is None
    client = client or ArxivClient()
    try:
        resources = list(Resource.objects.filter(id__in=claimed).exclude(arxiv_id=""))
        by_arxiv: dict[str, list[Resource]] = defaultdict(list)
        for resource in resources:
            by_arxiv[resource.arxiv_id].append(resource)
        lookup = client.fetch_ids(list(by_arxiv))
        now = timezone.now()
        counts = {"found": 0, "not_found": 0, "invalid": 0, "inconclusive": 0, "unanswered": 0}
        for arxiv_id, group in by_arxiv.items():
            for resource in group:
                paper = lookup.papers.get(arxiv_id)
                if paper is not None:
                    _apply(resource, paper)
                    counts["found"] += 1
                elif arxiv_id in lookup.invalid:
                    # An id arXiv served before cannot have become malformed: one error feed
                    # about it is a flap, judged over days like a missing paper.
                    if not _missing_settled(resource, now):
                        counts["inconclusive"] += 1
                        continue
                    resource.arxiv_status = Status.NOT_FOUND
                    resource.comment = f"arXiv: {lookup.invalid[arxiv_id]}"[:2000]
                    counts["invalid"] += 1
                elif arxiv_id in lookup.missing:
                    if not _missing_settled(resource, now):
                        counts["inconclusive"] += 1
                        continue
                    resource.arxiv_status = Status.NOT_FOUND
                    counts["not_found"] += 1
                else:
                    counts["unanswered"] += arxiv_id in lookup.unanswered
                    continue
                resource.metadata_fetched_at = now
                resource.save(update_fields=_FIELDS)
        counts["requests"] = client.requests
        asked = sum(len(group) for group in by_arxiv.values())
        counts["mostly_empty"] = int(asked > 0 and counts["unanswered"] * 2 > asked)
        if verify and resources:
            titles_verify(resource_ids=[r.id for r in resources], client=client)
        return counts
    finally:
        resources_release(token, field="fetch")
        if own_client:
            client.close()


__all__ = ["ArxivUnavailable", "arxiv_fetch"]
