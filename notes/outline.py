"""The curriculum page's outline: tiers → topics → entries with my status, in reading order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from curricula.models import Curriculum, Entry, Resource, Tier, Topic
from notes import rules, selectors
from notes.models import Enrollment, Status


@dataclass
class Row:
    entry: selectors.EntryView
    status: str
    note_id: int | None
    is_new: bool
    optional: bool

    @property
    def authors_text(self) -> str:
        resource = self.entry.resource
        if resource is None or not resource.authors:
            return ""
        names = [a.get("name", "") if isinstance(a, dict) else str(a) for a in resource.authors]
        text = ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")
        if resource.published:
            text += f" ({resource.published.year})"
        return text

    @property
    def extra_links(self) -> list[dict[str, str]]:
        """Only web links: the importer refuses others, and this page never trusts that."""
        return [
            link
            for link in self.entry.extra_links or []
            if isinstance(link, dict)
            and str(link.get("url", "")).startswith(("https://", "http://"))
        ]

    @property
    def badges(self) -> list[tuple[str, str]]:
        """(css class, text) for what a reader should know before clicking."""
        out: list[tuple[str, str]] = []
        if self.entry.added_on:
            out.append(("new", f"✨ new (added after {self.entry.added_on:%Y-%m-%d})"))
        if self.is_new:
            out.append(("new", "new since you started"))
        resource = self.entry.resource
        if resource is not None:
            if resource.health == Resource.Health.BROKEN:
                out.append(("bad", "link broken"))
            elif resource.health == Resource.Health.MOVED:
                out.append(("warn", "link moved"))
            if resource.verification == Resource.Verification.MISMATCH:
                out.append(("bad", "wrong paper?"))
        if self.entry.todo:
            out.append(("warn", "to do"))
        return out


@dataclass
class TopicBlock:
    topic: Topic | None
    rows: list[Row] = field(default_factory=list)


@dataclass
class TierBlock:
    tier: Tier | None
    progress: rules.TierProgress
    topics: list[TopicBlock] = field(default_factory=list)
    shown: int = 0

    @property
    def dom_id(self) -> str:
        return f"tier-{self.tier.pk if self.tier else 'none'}"


@dataclass
class Filters:
    remaining: bool = False
    hide_optional: bool = False
    role: str = ""

    def keep(self, row: Row) -> bool:
        if self.remaining and row.status in selectors.CLOSED:
            return False
        if self.hide_optional and row.optional:
            return False
        return not (self.role and row.entry.role != self.role)


@dataclass
class Outline:
    curriculum: Curriculum
    enrollment: Enrollment | None
    progress: rules.CurriculumProgress
    tiers: list[TierBlock]
    counts: dict[str, int]
    shown: int

    def row_for(self, entry_id: int) -> Row | None:
        for block in self.tiers:
            for topic_block in block.topics:
                for row in topic_block.rows:
                    if row.entry.pk == entry_id:
                        return row
        return None


def build(
    user: Any, curriculum: Curriculum, filters: Filters | None = None, *, only_tier: Any = ...
) -> Outline:
    """Everything the curriculum page shows, in a constant number of queries.

    `only_tier` (a tier id or None) limits the blocks to one tier, for htmx updates.
    """
    filters = filters or Filters()
    enrollment = Enrollment.objects.filter(user=user, curriculum=curriculum).first()
    started_at = enrollment.started_at if enrollment else None
    tiers = {t.pk: t for t in curriculum.tiers.filter(retired_in__isnull=True)}
    topics = {t.pk: t for t in curriculum.topics.all()}
    entries = selectors.entries_for([curriculum.pk])
    maps = selectors.status_maps(user, [curriculum.pk], entries)
    notes = selectors.note_index(user, [curriculum.pk], entries)
    progress = selectors.progress_for(curriculum, entries, list(tiers.values()), maps, notes)
    optional_tiers = {pk for pk, t in tiers.items() if t.optional}

    blocks: dict[int | None, TierBlock] = {}
    topic_blocks: dict[tuple[int | None, int | None], TopicBlock] = {}
    counts = {s: 0 for s in Status.values}
    shown = 0
    for entry in selectors.reading_order(curriculum, entries, tiers, topics):
        tier_id = entry.tier_id if entry.tier_id in tiers else None
        status = selectors.status_of(entry, maps)
        counts[status] += 1
        if only_tier is not ... and tier_id != only_tier:
            continue
        row = Row(
            entry=entry,
            status=status,
            note_id=notes.for_entry(entry),
            is_new=selectors.is_new_for(entry, started_at),
            optional=entry.role == Entry.Role.OPTIONAL or tier_id in optional_tiers,
        )
        block = blocks.get(tier_id)
        if block is None:
            block = blocks[tier_id] = TierBlock(
                tier=tiers.get(tier_id) if tier_id else None,
                progress=progress.tiers.get(tier_id) or rules.TierProgress(tier_id),
            )
        if not filters.keep(row):
            continue
        key = (tier_id, entry.topic_id)
        topic_block = topic_blocks.get(key)
        if topic_block is None:
            topic_block = topic_blocks[key] = TopicBlock(
                topics.get(entry.topic_id) if entry.topic_id else None
            )
            block.topics.append(topic_block)
        topic_block.rows.append(row)
        block.shown += 1
        shown += 1
    ordered = sorted(
        blocks.values(),
        key=lambda b: (b.tier.position, b.tier.number) if b.tier else (1 << 30, 0),
    )
    if curriculum.reading_order != Curriculum.ReadingOrder.BY_TIER:
        # As listed: tiers in the order their first entry appears.
        ordered = list(blocks.values())
    return Outline(curriculum, enrollment, progress, ordered, counts, shown)
