"""What an import would change: parsed items matched to the stored ones, without writing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import F
from django.utils.text import capfirst

from curricula.canonical import CanonicalURL, InvalidURL, canonicalize
from curricula.importer.matching import loose_url, match, match_topics_by_entries, norm, similar
from curricula.importer.model import ParsedCurriculum, ParsedEntry, ParsedTier, ParsedTopic
from curricula.models import Curriculum, Entry, Resource, Tier, Topic

P = TypeVar("P")
S = TypeVar("S")

CURRICULUM_FIELDS = (
    "title",
    "description",
    "guidance",
    "note_template",
    "reading_order",
    "completion_rule",
)
TIER_FIELDS = ("number", "label", "title", "note", "optional", "position")
TOPIC_FIELDS = ("title", "number", "part", "description", "position")
ENTRY_CONTENT_FIELDS = (
    "title",
    "url_as_written",
    "alias",
    "why",
    "excerpt",
    "tags",
    "date_text",
    "extra_links",
    "group",
    "role",
    "added_on",
    "todo",
)
ENTRY_PLACE_FIELDS = ("position",)


def query_chunk() -> int:
    limit = connection.features.max_query_params or 10_000
    return max(100, min(limit - 50, 5_000))


@dataclass
class Planned(Generic[P, S]):
    """One parsed item and the stored row it becomes (None: to be created)."""

    parsed: P
    stored: S | None
    changed: list[str] = field(default_factory=list)
    revived: bool = False
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPlan:
    slug: str
    parsed: ParsedCurriculum
    curriculum: Curriculum | None
    curriculum_values: dict[str, Any]
    curriculum_changed: list[str]
    tiers: list[Planned[ParsedTier, Tier]]
    retired_tiers: list[Tier]
    topics: list[Planned[ParsedTopic, Topic]]
    retired_topics: list[Topic]
    entries: list[Planned[ParsedEntry, Entry]]
    retired_entries: list[Entry]
    canonical: dict[str, CanonicalURL]  # URL as written -> canonical
    existing_resources: dict[str, Resource]  # canonical URL -> stored resource
    kept_why: list[str]

    @property
    def new_resource_urls(self) -> list[str]:
        seen = {c.url for c in self.canonical.values()}
        return sorted(seen - set(self.existing_resources))

    @property
    def changed(self) -> bool:
        return (
            self.curriculum is None
            or bool(self.curriculum_changed)
            or any(p.stored is None or p.changed or p.revived for p in self.tiers)
            or any(p.stored is None or p.changed or p.revived for p in self.topics)
            or any(p.stored is None or p.changed or p.revived for p in self.entries)
            or bool(self.retired_tiers or self.retired_topics or self.retired_entries)
        )


def _diff(stored: Any, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(stored, name) != value]


def build_plan(parsed: ParsedCurriculum, *, slug: str, title: str | None) -> ImportPlan:
    curriculum = Curriculum.objects.filter(slug=slug).first()
    stored_tiers: list[Tier] = list(curriculum.tiers.all()) if curriculum else []
    stored_topics: list[Topic] = list(curriculum.topics.all()) if curriculum else []
    # The resource's URL is all matching needs (its paper id and title tell a relink's preview
    # whether the new link is the same work): annotate them rather than build Resource objects.
    stored_entries: list[Entry] = (
        list(
            curriculum.entries.annotate(
                resource_url=F("resource__url"),
                resource_title=F("resource__title"),
                resource_arxiv_id=F("resource__arxiv_id"),
                resource_doi=F("resource__doi"),
            )
        )
        if curriculum
        else []
    )

    values = {
        "title": (title or parsed.title or (curriculum.title if curriculum else "")).strip()
        or capfirst(slug.replace("-", " ")),
        "description": parsed.description,
        "guidance": parsed.guidance,
        "note_template": parsed.note_template or (curriculum.note_template if curriculum else ""),
        "reading_order": parsed.reading_order,
        "completion_rule": parsed.completion_rule,
    }
    values["title"] = values["title"][:200]
    curriculum_changed = _diff(curriculum, values) if curriculum else list(CURRICULUM_FIELDS)

    # Tiers: by number and title, then by title (a tier renumbered or reordered keeps its
    # row, and people's summary notes on it), then by number (a tier retitled in place).
    by_number = match(
        parsed.tiers,
        stored_tiers,
        [
            (lambda t: (t.number, norm(t.title)), lambda t: (t.number, norm(t.title))),
            (
                lambda t: norm(t.title) or None,
                lambda t: norm(t.title) or None,
            ),
            (lambda t: t.number, lambda t: t.number),
        ],
        prefer=lambda t: (t.retired_in_id is not None, t.position),
    )
    tiers = []
    for index, tier in enumerate(parsed.tiers):
        stored = by_number.get(index)
        wanted = {
            "number": tier.number,
            "label": tier.label[:50],
            "title": tier.title[:255],
            "note": tier.note,
            "optional": tier.optional,
            "position": index,
        }
        tiers.append(
            Planned(
                tier,
                stored,
                _diff(stored, wanted) if stored else [],
                revived=bool(stored and stored.retired_in_id),
                values=wanted,
            )
        )
    kept = {id(p.stored) for p in tiers if p.stored}
    retired_tiers = [t for t in stored_tiers if id(t) not in kept and t.retired_in_id is None]
    # A stored tier's number in the new list (None: retired), so that an entry or topic whose
    # tier was only renumbered is not moved.
    tier_number = {p.stored.pk: p.parsed.number for p in tiers if p.stored}

    # Topics: by tier and title, then title, then number within the tier.
    by_topic = match(
        parsed.topics,
        stored_topics,
        [
            (
                lambda t: (t.tier, norm(t.part), norm(t.title)),
                lambda t: (tier_number.get(t.tier_id), norm(t.part), norm(t.title)),
            ),
            (lambda t: norm(t.title), lambda t: norm(t.title)),
            (
                lambda t: (t.tier, t.number) if t.number else None,
                lambda t: (tier_number.get(t.tier_id), t.number) if t.number else None,
            ),
        ],
        prefer=lambda t: (t.retired_in_id is not None, t.position),
    )
    topic_title = {t.pk: norm(t.title) for t in stored_topics}

    # Resources: every entry URL canonicalised once, looked up in bulk.
    canonical: dict[str, CanonicalURL] = {}
    for entry in parsed.entries:
        if entry.url and entry.url not in canonical:
            found = parsed.canonical.get(entry.url)
            if found is None:
                try:
                    found = canonicalize(entry.url)
                except InvalidURL:
                    continue
            if len(found.url) <= 2000:
                canonical[entry.url] = found
    urls = sorted({c.url for c in canonical.values()})
    existing: dict[str, Resource] = {}
    size = query_chunk()
    for start in range(0, len(urls), size):
        existing.update(Resource.objects.in_bulk(urls[start : start + size], field_name="url"))

    def url_of(entry: ParsedEntry) -> str | None:
        found = canonical.get(entry.url)
        return found.url if found else None

    def stored_url(entry: Entry) -> str | None:
        return getattr(entry, "resource_url", None)

    topics_by_index = {i: norm(t.title) for i, t in enumerate(parsed.topics)}
    parsed_place: dict[int, tuple] = {}
    stored_place: dict[int, tuple] = {}
    seen: Counter[tuple] = Counter()
    for parsed_entry in parsed.entries:
        if not parsed_entry.url:
            group = (parsed_entry.tier, topics_by_index.get(parsed_entry.topic))
            parsed_place[id(parsed_entry)] = (*group, seen[group])
            seen[group] += 1
    seen = Counter()
    live_link_less = [e for e in stored_entries if not e.resource_id and e.retired_in_id is None]
    for stored_entry in sorted(live_link_less, key=lambda e: e.position):
        group = (tier_number.get(stored_entry.tier_id), topic_title.get(stored_entry.topic_id))
        stored_place[id(stored_entry)] = (*group, seen[group])
        seen[group] += 1
    by_entry = match(
        parsed.entries,
        stored_entries,
        [
            (
                lambda e: (url_of(e), norm(e.title), e.tier, topics_by_index.get(e.topic)),
                lambda e: (
                    stored_url(e),
                    norm(e.title),
                    tier_number.get(e.tier_id),
                    topic_title.get(e.topic_id),
                ),
            ),
            (lambda e: (url_of(e), norm(e.title)), lambda e: (stored_url(e), norm(e.title))),
            (lambda e: url_of(e), lambda e: stored_url(e)),
            # The same page written another way (http/https, www., a trailing slash): the
            # canonical URL keeps these apart, as some sites do, but one entry lists it.
            (lambda e: loose_url(url_of(e)), lambda e: loose_url(stored_url(e))),
            # A fixed link keeps its entry: the same title with another URL is relinked, so
            # people's work can follow it (services: hooks.entry_moved).
            (
                lambda e: ("linked", norm(e.title)) if url_of(e) else None,
                lambda e: ("linked", norm(e.title)) if e.resource_id else None,
            ),
            # Link-less items are known by their title (a link added later keeps the row).
            (lambda e: norm(e.title), lambda e: None if e.resource_id else norm(e.title)),
            # A link dropped (a dead one, say) keeps the row too, and people's work with it.
            (
                lambda e: None if url_of(e) else ("dropped", norm(e.title)),
                lambda e: ("dropped", norm(e.title)) if e.resource_id else None,
            ),
            # Then by place: the n-th link-less item of a topic and tier, retitled in place.
            (lambda e: parsed_place.get(id(e)), lambda e: stored_place.get(id(e))),
        ],
        prefer=lambda e: (e.retired_in_id is not None, e.position),
    )
    # A topic renamed (no number to know it by) is the stored topic most of its entries
    # came from, so people's summary notes on it stay with it.
    match_topics_by_entries(parsed, stored_topics, by_topic, by_entry)
    topics = []
    for index, topic in enumerate(parsed.topics):
        stored = by_topic.get(index)
        wanted = {
            "title": topic.title[:255],
            "number": topic.number,
            "part": topic.part[:255],
            "description": topic.description,
            "position": index,
        }
        changed = _diff(stored, wanted) if stored else []
        if stored and tier_number.get(stored.tier_id) != topic.tier:
            changed.append("tier")
        topics.append(
            Planned(
                topic, stored, changed, revived=bool(stored and stored.retired_in_id), values=wanted
            )
        )
    kept = {id(p.stored) for p in topics if p.stored}
    retired_topics = [t for t in stored_topics if id(t) not in kept and t.retired_in_id is None]

    entries = []
    kept_why = []
    for index, entry in enumerate(parsed.entries):
        stored = by_entry.get(index)
        wanted = _entry_values(entry, index, url_of(entry))
        changed: list[str] = []
        if stored is not None:
            if not wanted["why"] and stored.why:
                # A revision that drops a `Why:` keeps the earlier one (000 after 001).
                wanted["why"] = stored.why
                kept_why.append(entry.title)
            changed = _diff(stored, {k: v for k, v in wanted.items() if k != "resource_url"})
            if stored_url(stored) != wanted["resource_url"]:
                changed.append("resource")
            if tier_number.get(stored.tier_id) != entry.tier:
                changed.append("tier")
            if not _same_topic(stored, entry, topics):
                changed.append("topic")
        entries.append(
            Planned(
                entry, stored, changed, revived=bool(stored and stored.retired_in_id), values=wanted
            )
        )
    kept = {id(p.stored) for p in entries if p.stored}
    retired_entries = [e for e in stored_entries if id(e) not in kept and e.retired_in_id is None]

    return ImportPlan(
        slug=slug,
        parsed=parsed,
        curriculum=curriculum,
        curriculum_values=values,
        curriculum_changed=curriculum_changed,
        tiers=tiers,
        retired_tiers=retired_tiers,
        topics=topics,
        retired_topics=retired_topics,
        entries=entries,
        retired_entries=retired_entries,
        canonical=canonical,
        existing_resources=existing,
        kept_why=kept_why,
    )


def _entry_values(entry: ParsedEntry, position: int, resource_url: str | None) -> dict[str, Any]:
    return {
        "title": entry.title[:500],
        "url_as_written": entry.url[:2000] if resource_url else "",
        "alias": entry.alias[:100],
        "why": entry.why,
        "excerpt": entry.excerpt,
        "tags": list(entry.tags),
        "date_text": entry.date_text[:100],
        "extra_links": [dict(link) for link in entry.extra_links],
        "group": entry.group[:255],
        "role": entry.role,
        "added_on": entry.added_on,
        "todo": entry.todo,
        "position": position,
        "resource_url": resource_url,
    }


def _same_topic(
    stored: Entry,
    entry: ParsedEntry,
    topics: list[Planned[ParsedTopic, Topic]],
) -> bool:
    if entry.topic is None:
        return stored.topic_id is None
    target = topics[entry.topic].stored
    return target is not None and target.pk == stored.topic_id


def describe(planned: Planned[Any, Any]) -> str:
    if planned.stored is None:
        return "added"
    if planned.revived:
        return "revived"
    if not planned.changed:
        return "unchanged"
    if set(planned.changed) <= {"position", "tier", "topic"}:
        return "moved"
    return "updated"


def relinked(plan: ImportPlan) -> list[tuple[Planned[ParsedEntry, Entry], str, str]]:
    """Entries kept across revisions whose link changed: (planned, old URL, new URL)."""
    out = []
    for planned in plan.entries:
        stored = planned.stored
        old = getattr(stored, "resource_url", None) if stored is not None else None
        new = planned.values.get("resource_url")
        if stored is not None and old and new and old != new:
            out.append((planned, old, new))
    return out


def different_work(plan: ImportPlan, planned: Planned[ParsedEntry, Entry]) -> str:
    """For a relinked entry: the old paper's title when the new link is another paper.

    A fixed link (OpenReview PDF → forum, a blog → arXiv, the same title) is the same work
    and people's status and notes follow it. Two different paper ids (arXiv, DOI) whose
    titles disagree are two papers: following would mark people done with a paper they did
    not read. Each side's title is the paper's own when fetched, else the title as listed.
    """
    stored = planned.stored
    if stored is None:
        return ""
    old_id = getattr(stored, "resource_arxiv_id", "") or getattr(stored, "resource_doi", "")
    canonical = plan.canonical.get(planned.parsed.url)
    new_id = (canonical.arxiv_id or canonical.doi) if canonical else ""
    if not old_id or not new_id or old_id == new_id:
        return ""
    old_title = getattr(stored, "resource_title", "") or stored.title
    new_resource = plan.existing_resources.get(canonical.url) if canonical else None
    new_title = (new_resource.title if new_resource else "") or planned.parsed.title
    return "" if similar(old_title, new_title) else old_title
