"""Does each entry link to what its curated title says? Fuzzy title matching, arXiv title-search
suggestions, and the admin's one-click fixes."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rapidfuzz import fuzz

from curricula.arxiv.client import ArxivUnavailable
from curricula.canonical import canonicalize
from curricula.linkhealth.services import resources_created
from curricula.models import Entry, Resource, TitleCheck

Status = TitleCheck.Status
# "Org — Title" or "Title: subtitle" or "Title | Site": the pieces either side may stand alone.
_SEPARATORS = re.compile(r"\s+[—–|·-]\s+|:\s+|\s+\|\s*")
MAX_SUGGESTIONS = 3


def normalise(title: str) -> str:
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _pieces(title: str) -> list[str]:
    raw = (title or "").strip()
    parts = [p for p in _SEPARATORS.split(raw) if p.strip()]
    pieces = [normalise(raw)]
    if len(parts) > 1:
        pieces += [normalise(p) for p in parts]
        pieces.append(normalise(" ".join(parts[1:])))
    return [p for p in dict.fromkeys(pieces) if p]


def title_score(curated: str, real: str) -> float:
    """0..1: how well the curated title names the real one. Case, punctuation, accents, a
    subtitle, a site name or an "Org — " prefix on either side do not count against it."""
    if not normalise(curated) or not normalise(real):
        return 0.0
    whole = fuzz.token_sort_ratio(normalise(curated), normalise(real)) / 100
    best = whole
    real_words = set(normalise(real).split())
    leftover = [w for w in normalise(curated).split() if w not in real_words]
    for a in _pieces(curated):
        for b in _pieces(real):
            score = fuzz.ratio(a, b) / 100
            if len(a.split()) >= 3 and b.startswith(a + " "):
                score = max(score, 0.92)  # a shortened title: "Red Teaming Language Models"
            # A piece standing for the whole is weaker evidence than the whole title.
            score *= 0.97
            if len(a.split()) <= 2 and leftover:
                # Two common words ("Beyond Accuracy") are not enough when the rest of the
                # curated title ("Google —") appears nowhere in the real one.
                score *= 0.75
            best = max(best, score)
    return round(best, 3)


def search_phrase(title: str) -> str:
    """What to search arXiv for: the longest piece, so "Org — Title" searches for the title."""
    pieces = [p for p in _pieces(title)[1:] if len(p.split()) >= 2]
    return max(pieces, key=len) if pieces else title


def _pair_key(curated: str, real: str) -> str:
    return hashlib.sha256(f"{normalise(curated)}\n{normalise(real)}".encode()).hexdigest()[:64]


def _real_title(resource: Resource) -> tuple[str, str]:
    if resource.arxiv_id:
        if resource.arxiv_status == Resource.ArxivStatus.FOUND and resource.title:
            return resource.title, TitleCheck.Source.ARXIV
        return "", TitleCheck.Source.NONE
    if resource.page_title:
        return resource.page_title, TitleCheck.Source.PAGE
    return "", TitleCheck.Source.NONE


def titles_verify(
    *, resource_ids: Iterable[int], client=None, search: bool = True, max_searches: int = 25
) -> dict[str, int]:
    """Compare every active entry of these resources with the real title; flag mismatches and
    resources listed twice under different titles in one curriculum; ask arXiv for candidates."""
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
    to_search: list[tuple[TitleCheck, str]] = []
    for entry in entries:
        resource = entry.resource
        if resource is None:  # filtered out above; keeps the type checker honest
            continue
        check = getattr(entry, "title_check", None) or TitleCheck(entry=entry)
        real, source = _real_title(resource)
        check.curated_title = entry.title[:500]
        check.real_title = real
        check.source = source
        check.checked_at = now
        check.conflict_title = ""
        for other in siblings[(entry.curriculum_id, entry.resource_id)]:
            if other.id != entry.id and title_score(entry.title, other.title) < threshold:
                check.conflict_title = other.title[:500]
                break
        if not real:
            check.score = None
            check.status = Status.NO_TITLE
            check.suggestions = []
        else:
            check.score = title_score(entry.title, real)
            if check.score >= threshold:
                check.status = Status.OK
                check.suggestions = []
            elif check.ignored_pair and check.ignored_pair == _pair_key(entry.title, real):
                check.status = Status.IGNORED
            else:
                check.status = Status.MISMATCH
        if check.conflict_title and check.ignored_pair == _pair_key(
            entry.title, check.conflict_title
        ):
            check.conflict_title = ""
        check.save()
        counts[str(check.status)] += 1
        counts["listed_twice"] += bool(check.conflict_title)
        paper_like = resource.kind == Resource.Kind.PAPER and not resource.arxiv_id
        if check.status == Status.MISMATCH or (paper_like and check.status == Status.NO_TITLE):
            to_search.append((check, resource.arxiv_id))
    if search and to_search and client is not None:
        for check, arxiv_id in to_search[:max_searches]:
            check.suggestions = suggestions_for(
                check.curated_title, client=client, exclude=arxiv_id
            )
            check.save(update_fields=["suggestions"])
            counts["searched"] += 1
    resources_refresh_verification(ids)
    return dict(counts)


def suggestions_for(title: str, *, client, exclude: str = "") -> list[dict]:
    try:
        papers = client.search_title(search_phrase(title))
    except ArxivUnavailable:
        return []
    scored = [
        {"arxiv_id": p.arxiv_id, "title": p.title, "score": title_score(title, p.title)}
        for p in papers
        if p.arxiv_id != exclude
    ]
    scored.sort(key=lambda s: s["score"], reverse=True)
    return scored[:MAX_SUGGESTIONS]


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
        elif Status.OK in statuses:
            value = Resource.Verification.OK
        else:
            value = Resource.Verification.UNCHECKED
        scores = [s for _, s, _ in rows if s is not None]
        Resource.objects.filter(id=resource_id).update(
            verification=value,
            verification_score=min(scores) if scores else None,
            verified_at=now,
        )


@transaction.atomic
def entry_accept_suggestion(*, actor, entry: Entry, arxiv_id: str) -> Resource:
    """Move the entry to the suggested paper's resource (created when new); the old resource
    keeps its other entries, and notes and progress keyed on the entry follow it."""
    check = TitleCheck.objects.filter(entry=entry).first()
    offered = {s["arxiv_id"] for s in (check.suggestions if check else [])}
    if arxiv_id not in offered:
        raise ValueError(f"{arxiv_id} is not one of this entry's suggestions")
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
    if check:
        check.suggestions = []
        check.status = Status.NO_TITLE
        check.ignored_pair = ""
        check.save(update_fields=["suggestions", "status", "ignored_pair"])
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
    check.save(update_fields=["ignored_pair", "status", "conflict_title"])
    if entry.resource_id is not None:
        resources_refresh_verification([entry.resource_id])
