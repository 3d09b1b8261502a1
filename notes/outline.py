"""The curriculum page's outline: every tier with my progress, and the entries of one of them.

The page renders what a person looks at: the outline of the whole list (tiers with their
progress, from the tallies, notes/progress.py) and the entries of one tier (the one in the
URL, else the first required one I have not completed), a page of rows at a time. The other
tiers load when opened (htmx), each at a URL of its own that works without JavaScript. So a
page costs the same for 300 entries or 10,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from curricula.models import Curriculum, Entry, Resource, Tier
from notes import cached, remaining, rules, selectors
from notes import progress as tallied
from notes.models import Enrollment, Progress, Status

# Rows per response: the first response stays small (under 60 kB) however long the tier is.
PAGE = 25

NO_TIER = "none"


STATUS_BUTTONS = [(Status.TO_READ, "To read"), (Status.READING, "Reading"), (Status.DONE, "Done"),
                  (Status.SKIPPED, "Skip")]  # fmt: skip


def page_context(curriculum: Curriculum) -> dict:
    """What every rendering of the outline's rows needs, worked out once per response."""
    url = curriculum.get_absolute_url()  # once: the page links to it from every tier
    return {
        "curriculum": curriculum,
        "curriculum_url": url,
        "status_buttons": STATUS_BUTTONS,
        "entry_prefix": f"{url}entries/",
    }


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
    topic: selectors.TopicView | None
    rows: list[Row] = field(default_factory=list)


@dataclass
class Filters:
    remaining: bool = False
    hide_optional: bool = False
    role: str = ""

    def apply(self, entries: QuerySet, user: Any) -> QuerySet:
        """The same choice as a person reading the list would make, made by the database."""
        if self.remaining:
            closed = Progress.objects.filter(user=user, status__in=selectors.CLOSED)
            entries = entries.exclude(
                Exists(closed.filter(resource_id=OuterRef("resource_id")))
            ).exclude(
                Q(resource__isnull=True)
                & Exists(closed.filter(resource__isnull=True, entry_id=OuterRef("pk")))
            )
        if self.hide_optional:
            entries = entries.exclude(role=Entry.Role.OPTIONAL).exclude(tier__optional=True)
        if self.role:
            entries = entries.filter(role=self.role)
        return entries

    def query(self) -> dict[str, str]:
        out = {"remaining": "on" if self.remaining else "", "role": self.role}
        out["hide_optional"] = "on" if self.hide_optional else ""
        return {k: v for k, v in out.items() if v}


@dataclass
class Section:
    """A tier (or the entries outside any tier): its progress, and its rows when open."""

    key: str  # a tier's id, or NO_TIER
    tier: Tier | None
    progress: Any  # rules.TierProgress or rules.Counted
    entries: int
    open: bool = False
    topics: list[TopicBlock] = field(default_factory=list)
    offset: int = 0
    more: int | None = None  # offset of the next page of rows, when there is one

    @property
    def dom_id(self) -> str:
        return f"tier-{self.key}"

    @property
    def optional(self) -> bool:
        return bool(self.progress.optional)

    @property
    def shown(self) -> int:
        return sum(len(t.rows) for t in self.topics)


@dataclass
class Outline:
    curriculum: Curriculum
    enrollment: Enrollment | None
    progress: rules.CurriculumProgress
    sections: list[Section]
    done: int
    entries: int

    @property
    def current(self) -> Section | None:
        return next((s for s in self.sections if s.open), None)


def section_key(tier_id: int | None) -> str:
    return str(tier_id) if tier_id else NO_TIER


def build(
    user: Any,
    curriculum: Curriculum,
    filters: Filters | None = None,
    *,
    section: str | None = None,
    offset: int = 0,
    rows: bool = True,
) -> Outline:
    """The outline with my progress, and the rows of `section` (a tier id or NO_TIER; by
    default the first required tier I have not completed) from `offset`; `rows=False` leaves
    every section closed. A fixed number of queries, whatever the size of the list."""
    filters = filters or Filters()
    enrollment, line = tallied.read_enrollment_and_line(user.pk, curriculum.pk)
    shape = cached.shape_of(curriculum)
    progress = tallied.person_progress(shape, line)
    totals: dict[int | None, int] = {}
    for (tier_id, _role), n in shape.counts.items():
        totals[tier_id] = totals.get(tier_id, 0) + n
    sections = [
        Section(
            section_key(tier_id),
            shape.tier_by_id.get(tier_id) if tier_id else None,
            progress.tiers.get(tier_id) or rules.TierProgress(tier_id),
            totals.get(tier_id, 0),
        )
        for tier_id in shape.columns
        if totals.get(tier_id)
    ]
    outline = Outline(
        curriculum,
        enrollment,
        progress,
        sections,
        done=sum(line.done.values()),
        entries=sum(totals.values()),
    )
    if rows and sections:
        chosen = next((s for s in sections if s.key == section), None)
        if chosen is None:
            chosen = next(
                (s for s in sections if s.tier and not s.optional and not s.progress.complete),
                sections[0],
            )
        _fill(user, outline, chosen, filters, max(0, offset), enrollment)
    return outline


def ordered(curriculum: Curriculum, entries: QuerySet) -> QuerySet:
    """A tier's entries in reading order: by topic for lists read tier by tier, else as listed."""
    if curriculum.reading_order == Curriculum.ReadingOrder.BY_TIER:
        return entries.order_by(F("topic__position").asc(nulls_last=True), "position", "pk")
    return entries.order_by("position", "pk")


def _fill(
    user: Any,
    outline: Outline,
    section: Section,
    filters: Filters,
    offset: int,
    enrollment: Enrollment | None,
) -> None:
    """The rows of one section, a page from `offset`: two queries (entries with their topics;
    my statuses and my notes on them)."""
    curriculum = outline.curriculum
    tier_id = section.tier.pk if section.tier else None
    # A tier belongs to one curriculum: filtering on the tier alone lets PostgreSQL use the
    # (tier, topic, position) index instead of reading every entry of the curriculum.
    where = {"tier_id": tier_id} if tier_id else {"curriculum": curriculum, "tier__isnull": True}

    def read() -> list[tuple[selectors.EntryView, selectors.TopicView | None]]:
        qs = Entry.objects.active().filter(**where)
        page = ordered(curriculum, filters.apply(qs, user))[offset : offset + PAGE + 1]
        # The page's ids first (a subquery), then their rows with their resources: joined
        # before the LIMIT, PostgreSQL reads every resource of the list to keep 26.
        return selectors.entry_views_with_topics(
            ordered(curriculum, Entry.objects.filter(pk__in=page.values("pk")))
        )

    if filters.remaining:  # what remains is mine: not shared
        found = remaining.rows(
            user,
            curriculum,
            tier_id,
            hide_optional=filters.hide_optional,
            role=filters.role,
            offset=offset,
            limit=PAGE + 1,
        )
    else:
        key = ("rows", *cached.version(curriculum), curriculum.reading_order, tier_id, offset)
        found = cached.memo.get((*key, filters.hide_optional, filters.role), read)
    entries = [entry for entry, _ in found]
    topics = {entry.topic_id: topic for entry, topic in found}
    section.open, section.offset = True, offset
    if len(entries) > PAGE:
        entries = entries[:PAGE]
        section.more = offset + PAGE
    maps, notes = selectors.marks_for(user, entries)
    started_at = enrollment.started_at if enrollment else None
    blocks: dict[int | None, TopicBlock] = {}
    for entry in entries:
        block = blocks.get(entry.topic_id)
        if block is None:
            block = blocks[entry.topic_id] = TopicBlock(topics.get(entry.topic_id))
            section.topics.append(block)
        block.rows.append(
            Row(
                entry=entry,
                status=selectors.status_of(entry, maps),
                note_id=notes.for_entry(entry),
                is_new=selectors.is_new_for(entry, started_at),
                optional=entry.role == Entry.Role.OPTIONAL or section.optional,
            )
        )


def row_for(user: Any, entry: Entry, status: str, enrollment_started: Any = None) -> Row:
    """One entry's row after a change of status to `status` (the htmx answer to the status
    control)."""
    view = selectors.entry_views(Entry.objects.filter(pk=entry.pk))[0]
    _, notes = selectors.marks_for(user, [view])
    optional = view.role == Entry.Role.OPTIONAL or bool(entry.tier and entry.tier.optional)
    return Row(
        view,
        status,
        notes.for_entry(view),
        selectors.is_new_for(view, enrollment_started),
        optional,
    )
