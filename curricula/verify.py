"""Does each entry link to what its curated title says? Verdicts with evidence (judge.py),
arXiv candidates worth clicking, and the admin's one-click fixes."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from curricula import hooks
from curricula.arxiv.atom import Paper
from curricula.arxiv.client import ArxivUnavailable
from curricula.canonical import canonicalize
from curricula.linkhealth.services import resources_created
from curricula.models import Entry, Resource, TitleCheck
from curricula.verdicts.judge import DESCRIPTIVE, MATCHES, Verdict, Work, judge, page_work
from curricula.verdicts.services import title_check_record
from curricula.verdicts.text import (
    normalise,
    search_phrase,
    title_names_site_only,
    title_score,
)

__all__ = [
    "entry_accept_suggestion",
    "entry_ignore_flag",
    "search_phrase",
    "suggestions_for",
    "title_score",
    "titles_verify",
]

Status = TitleCheck.Status
MAX_SUGGESTIONS = 3
# A candidate below this is not offered: none is better than a wrong one.
SUGGESTION_MIN_SCORE = 0.6


def _pair_key(curated: str, real: str) -> str:
    return hashlib.sha256(f"{normalise(curated)}\n{normalise(real)}".encode()).hexdigest()[:64]


def _work(resource: Resource) -> tuple[Work | None, str]:
    if resource.arxiv_id:
        if resource.arxiv_status == Resource.ArxivStatus.FOUND and resource.title:
            year = resource.published.year if resource.published else None
            work = Work(resource.title, resource.abstract, list(resource.authors or []), year)
            return work, TitleCheck.Source.ARXIV
        return None, TitleCheck.Source.NONE
    host = urlsplit(resource.url).hostname or ""
    if resource.page_title and not title_names_site_only(resource.page_title, host):
        return page_work(resource.page_title, resource.page_description), TitleCheck.Source.PAGE
    return None, TitleCheck.Source.NONE


def entry_verdict(entry: Entry, work: Work, *, site: str = "") -> Verdict:
    return judge(
        entry.title,
        work,
        alias=entry.alias,
        date_text=entry.date_text,
        threshold=settings.READLIST_TITLE_MATCH_THRESHOLD,
        site=site,
    )


def titles_verify(
    *, resource_ids: Iterable[int], client=None, search: bool = True, max_searches: int = 25
) -> dict[str, int]:
    """Judge every active entry of these resources against what its link really is; flag
    resources listed twice under different titles in one curriculum; ask arXiv for candidates
    for the flagged ones, those searched longest ago first (the budget rotates)."""
    threshold = settings.READLIST_TITLE_MATCH_THRESHOLD
    ids = list(resource_ids)
    entries = list(
        Entry.objects.active()
        .filter(resource_id__in=ids)
        .select_related("resource", "title_check")
        .order_by("curriculum_id", "position")
    )
    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    siblings: dict[tuple[int, int | None], list[Entry]] = defaultdict(list)
    for entry in entries:
        siblings[(entry.curriculum_id, entry.resource_id)].append(entry)
    to_search: list[tuple[TitleCheck, Entry]] = []
    for entry in entries:
        resource = entry.resource
        if resource is None:  # filtered out above; keeps the type checker honest
            continue
        check = getattr(entry, "title_check", None) or TitleCheck(entry=entry)
        work, source = _work(resource)
        dead = _dead_paper(resource)
        check.curated_title = entry.title[:500]
        check.source = source
        check.checked_at = now
        check.conflict_title = ""
        for other in siblings[(entry.curriculum_id, entry.resource_id)]:
            if (
                other.id != entry.id
                and title_score(entry.title, other.title) < threshold
                and title_score(other.title, entry.title) < threshold
            ):
                check.conflict_title = other.title[:500]
                break
        if work is None:
            if resource.arxiv_id and check.real_title and check.status != Status.NO_TITLE:
                # Metadata not at hand now (pending, or a flap): keep the last verdict.
                counts["kept"] += 1
                title_check_record(check, now=now)
                if dead:
                    to_search.append((check, entry))
                continue
            check.real_title = ""
            check.score = None
            check.status = Status.NO_TITLE
            check.evidence = []
            if not dead:  # a dead link's replacements stay until it is replaced or back
                check.suggestions = []
        else:
            site = "" if resource.arxiv_id else (urlsplit(resource.url).hostname or "")
            verdict = entry_verdict(entry, work, site=site)
            known_better = verdict.weak and _challenged(check, work.title)
            check.real_title = work.title
            check.score = verdict.title_score if verdict.status != MATCHES else verdict.score
            if known_better:
                pass  # an earlier search found the paper this label is the title of: still wrong
            elif verdict.status in (MATCHES, DESCRIPTIVE):
                check.status = Status.OK if verdict.status == MATCHES else Status.DESCRIPTIVE
                if not dead:
                    check.suggestions = []
            elif check.ignored_pair and check.ignored_pair == _pair_key(entry.title, work.title):
                check.status = Status.IGNORED
            else:
                check.status = Status.MISMATCH
            if not known_better:
                check.evidence = verdict.evidence
        if check.conflict_title and check.ignored_pair == _pair_key(
            entry.title, check.conflict_title
        ):
            check.conflict_title = ""
        title_check_record(check, now=now)
        counts[str(check.status)] += 1
        counts["listed_twice"] += bool(check.conflict_title)
        paper_like = resource.kind == Resource.Kind.PAPER and not resource.arxiv_id
        if (
            dead
            or check.status == Status.MISMATCH
            or (paper_like and check.status == Status.NO_TITLE)
        ):
            to_search.append((check, entry))
        elif check.status == Status.DESCRIPTIVE and work is not None and verdict.weak:
            to_search.append((check, entry))  # is the label another paper's title?
    if search and to_search and client is not None:
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        to_search.sort(key=lambda pair: pair[0].searched_at or epoch)
        for check, entry in to_search[:max_searches]:
            exclude = entry.resource.arxiv_id if entry.resource else ""
            try:
                found = suggestions_for(entry, client=client, exclude=exclude)
            except ArxivUnavailable:
                counts["search_failed"] += 1
                break  # arXiv is having a bad day: keep what was known, try next run
            check.searched_at = timezone.now()
            if found is None:
                counts["search_empty"] += 1  # empty twice: keep the old candidates
                title_check_record(check, fields=["searched_at"])
                continue
            counts["searched"] += 1
            dead = entry.resource is not None and _dead_paper(entry.resource)
            if check.status == Status.DESCRIPTIVE and not dead:
                named = [c for c in found if c.get("verdict") == MATCHES]
                if not named:
                    title_check_record(check, fields=["searched_at"])
                    continue
                check.status = Status.MISMATCH
                check.evidence = [
                    f"the label is the title of arXiv:{named[0]['arxiv_id']}, not of this paper",
                    *check.evidence,
                ][:4]
                counts["mismatch"] += 1
                counts["descriptive"] -= 1
            check.suggestions = found
            title_check_record(check, fields=["suggestions", "searched_at", "status", "evidence"])
    resources_refresh_verification(ids)
    return dict(counts)


def _dead_paper(resource: Resource) -> bool:
    """A paper whose link is confirmed broken: arXiv is searched by its label for a
    replacement, offered on the link-health page and accepted like a wrong-paper suggestion."""
    return resource.kind == Resource.Kind.PAPER and resource.health == Resource.Health.BROKEN


def _challenged(check: TitleCheck, real_title: str) -> bool:
    """Was this label found to be another paper's title, against the same real title?"""
    return (
        check.pk is not None
        and check.status == Status.MISMATCH
        and check.real_title == real_title
        and any(s.get("verdict") == MATCHES for s in check.suggestions)
    )


def _candidate(entry: Entry, paper: Paper) -> dict[str, Any] | None:
    year = paper.published.year if paper.published else None
    verdict = entry_verdict(entry, Work(paper.title, paper.abstract, paper.authors, year))
    if verdict.status not in (MATCHES, DESCRIPTIVE):
        return None
    score = verdict.score if verdict.status == MATCHES else 0.6 + 0.3 * verdict.score
    score = round(min(score, 1.0), 3)
    if score < SUGGESTION_MIN_SCORE:
        return None
    return {
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "score": score,
        "verdict": verdict.status,
        "reason": "; ".join(verdict.evidence[:2]),
        "abstract": paper.abstract[:1500],
        "authors": paper.authors[:20],
        "year": year,
    }


def suggestions_for(entry: Entry, *, client, exclude: str = "") -> list[dict] | None:
    """Candidates the judge supports, best first; None when arXiv answered nothing twice.

    A title search with every word first; when it finds nothing worth offering (a nickname is
    rarely in a title), any of the label's words anywhere, in arXiv's order of relevance."""
    phrase = search_phrase(entry.title)
    answered = False
    best: dict[str, dict] = {}
    for field, any_word in (("ti", False), ("all", True)):
        papers = client.search(phrase, field=field, any_word=any_word)
        if papers is None:
            continue
        answered = True
        for paper in papers:
            if paper.arxiv_id == exclude or paper.arxiv_id in best:
                continue
            candidate = _candidate(entry, paper)
            if candidate:
                best[paper.arxiv_id] = candidate
        if best:
            break
    if not answered:
        return None
    ranked = sorted(best.values(), key=lambda c: c["score"], reverse=True)
    return ranked[:MAX_SUGGESTIONS]


def resources_refresh_verification(resource_ids: Iterable[int]) -> None:
    """A resource's verification sums up its active entries' title checks."""
    now = timezone.now()
    checks = TitleCheck.objects.filter(
        entry__resource_id__in=list(resource_ids), entry__retired_in__isnull=True
    ).values_list("entry__resource_id", "status", "score", "conflict_title")
    summary: dict[int, list] = defaultdict(list)
    for resource_id, status, score, conflict in checks:
        summary[resource_id].append((status, score, conflict))
    for resource_id in resource_ids:
        rows = summary.get(resource_id, [])
        statuses = {s for s, _, _ in rows}
        flagged = Status.MISMATCH in statuses or any(c for _, _, c in rows)
        if flagged:
            value = Resource.Verification.MISMATCH
        elif Status.IGNORED in statuses:
            value = Resource.Verification.IGNORED
        elif Status.OK in statuses or Status.DESCRIPTIVE in statuses:
            value = Resource.Verification.OK
        else:
            value = Resource.Verification.UNCHECKED
        scores = [s for _, s, _ in rows if s is not None]
        Resource.objects.filter(id=resource_id).update(
            verification=value,
            verification_score=min(scores) if scores else None,
            verified_at=now,
        )


def _recheck(entry: Entry, suggestion: dict, client=None) -> Verdict:
    """Judge the candidate again on the server, from the freshest metadata at hand."""
    arxiv_id = suggestion["arxiv_id"]
    known = Resource.objects.filter(
        arxiv_id=arxiv_id, arxiv_status=Resource.ArxivStatus.FOUND
    ).first()
    if known is not None:
        work, _ = _work(known)
        assert work is not None
    elif client is not None:
        try:
            paper = client.fetch_ids([arxiv_id]).papers.get(arxiv_id)
        except ArxivUnavailable as exc:
            raise ValueError(f"could not re-check {arxiv_id} on arXiv now: {exc}") from exc
        if paper is None:
            raise ValueError(f"{arxiv_id} is not on arXiv")
        year = paper.published.year if paper.published else None
        work = Work(paper.title, paper.abstract, paper.authors, year)
    else:
        work = Work(
            suggestion.get("title", ""),
            suggestion.get("abstract", ""),
            suggestion.get("authors", []),
            suggestion.get("year"),
        )
    return entry_verdict(entry, work)


@transaction.atomic
def entry_accept_suggestion(
    *, actor, entry: Entry, arxiv_id: str, follow: bool = True, client=None
) -> Resource:
    """Move the entry to the suggested paper's resource (created when new), after judging the
    candidate again here. With `follow` (the default: the old link was a typo, people read the
    intended paper) people's status and notes on the old paper move to the new one; without
    it they stay (they read something else). Either way the activity log says so."""
    check = TitleCheck.objects.filter(entry=entry).first()
    offered = {s["arxiv_id"]: s for s in (check.suggestions if check else [])}
    if arxiv_id not in offered:
        raise ValueError(f"{arxiv_id} is not one of this entry's suggestions")
    verdict = _recheck(entry, offered[arxiv_id], client)
    if verdict.status not in (MATCHES, DESCRIPTIVE):
        raise ValueError(
            f"{arxiv_id} does not match “{entry.title}” on a second look: "
            + "; ".join(verdict.evidence)
        )
    canonical = canonicalize(f"https://arxiv.org/abs/{arxiv_id}")
    resource, created = Resource.objects.get_or_create(
        url=canonical.url,
        defaults={
            "kind": Resource.Kind.PAPER,
            "arxiv_id": canonical.arxiv_id,
            "arxiv_status": Resource.ArxivStatus.PENDING,
        },
    )
    old_id = entry.resource_id
    entry.resource = resource
    entry.save(update_fields=["resource", "updated_at"])
    if old_id is not None and old_id != resource.id:
        hooks.entry_moved(
            actor=actor, entry=entry, old_resource_id=old_id, new_resource_id=resource.id,
            follow=follow,
        )  # fmt: skip
    if check:
        check.suggestions, check.status, check.ignored_pair, check.evidence = (
            [],
            Status.NO_TITLE,
            "",
            [],
        )
        title_check_record(check, fields=["suggestions", "status", "ignored_pair", "evidence"])
    titles_verify(resource_ids=[r for r in (old_id, resource.id) if r], search=False)
    if created or not resource.metadata_fetched_at:
        resources_created([resource.id])
    return resource


def entry_ignore_flag(*, actor, entry: Entry) -> None:
    """A false positive: keep quiet about this pair of titles (a change of either re-flags)."""
    check = TitleCheck.objects.filter(entry=entry).first()
    if check is None:
        return
    other = check.conflict_title or check.real_title
    check.ignored_pair = _pair_key(entry.title, other)
    if check.status == Status.MISMATCH:
        check.status = Status.IGNORED
    check.conflict_title = ""
    title_check_record(check, fields=["ignored_pair", "status", "conflict_title"])
    if entry.resource_id is not None:
        resources_refresh_verification([entry.resource_id])
