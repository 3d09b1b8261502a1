"""Plain dataclasses for what the Markdown parser found in one reading list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from curricula.canonical import CanonicalURL


@dataclass
class ParsedTier:
    number: int
    label: str
    title: str = ""
    note: str = ""
    optional: bool = False
    line: int = 0


@dataclass
class ParsedTopic:
    title: str
    number: int | None = None
    part: str = ""
    tier: int | None = None  # the tier number when the topic lives inside one tier
    description: str = ""
    line: int = 0


@dataclass
class ParsedEntry:
    title: str
    url: str = ""  # as written; empty for link-less items
    alias: str = ""
    why: str = ""
    excerpt: str = ""
    tags: list[str] = field(default_factory=list)
    date_text: str = ""
    extra_links: list[dict[str, str]] = field(default_factory=list)
    group: str = ""
    role: str = ""
    role_given: bool = False  # a "Role: …" line said it: nothing the document implies overrides it
    added_on: dt.date | None = None
    todo: bool = False
    tier: int | None = None  # tier number
    topic: int | None = None  # index into ParsedCurriculum.topics
    line: int = 0


@dataclass
class LinkPlacement:
    url: str
    line: int
    place: str  # entry, extra_link, guidance, description, tier_note, topic_description


@dataclass
class SkippedLink:
    url: str
    line: int
    reason: str


@dataclass
class ParsedCurriculum:
    title: str = ""
    description: str = ""
    guidance: str = ""
    note_template: str = ""
    reading_order: str = "listed"
    completion_rule: str = "all"
    tiers: list[ParsedTier] = field(default_factory=list)
    topics: list[ParsedTopic] = field(default_factory=list)
    entries: list[ParsedEntry] = field(default_factory=list)
    placed: list[LinkPlacement] = field(default_factory=list)
    skipped: list[SkippedLink] = field(default_factory=list)
    refused: list[SkippedLink] = field(default_factory=list)  # javascript:, data:, …
    warnings: list[str] = field(default_factory=list)
    added_after: dt.date | None = None  # the ✨ legend's date
    canonical: dict[str, CanonicalURL] = field(default_factory=dict)  # entry URL -> canonical

    def placed_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for placement in self.placed:
            counts[placement.place] = counts.get(placement.place, 0) + 1
        return counts
