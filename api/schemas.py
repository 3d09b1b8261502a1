"""What the API answers and accepts (pydantic, through Ninja); the OpenAPI schema is built
from these."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from notes.services import MAX_NOTE_CHARS

StatusName = Literal["to_read", "reading", "done", "skipped"]
VisibilityName = Literal["private", "team"]


class TierOut(Schema):
    id: int
    number: int
    label: str
    title: str
    note: str
    optional: bool
    retired: bool


class TopicOut(Schema):
    id: int
    tier_id: int | None
    part: str
    number: int | None
    title: str
    description: str
    retired: bool


class CurriculumOut(Schema):
    slug: str
    title: str
    description: str
    reading_order: str
    completion_rule: str
    entries: int
    updated_at: dt.datetime


class CurriculumDetail(CurriculumOut):
    guidance: str
    tiers: list[TierOut]
    topics: list[TopicOut]


class CurriculumPage(Schema):
    items: list[CurriculumOut]
    next_cursor: str | None


class ExtraLink(Schema):
    label: str = ""
    url: str = ""


class Verdict(Schema):
    """How the link and the title were judged (admins only)."""

    health: str
    health_changed_at: dt.datetime | None
    last_checked_at: dt.datetime | None
    moved_to: str
    verification: str
    verification_score: float | None
    title_check: str | None
    real_title: str | None


class EntryOut(Schema):
    id: int
    title: str
    alias: str
    url: str | None
    kind: str | None
    arxiv_id: str | None
    tier_id: int | None
    topic_id: int | None
    role: str
    group: str
    why: str
    excerpt: str
    tags: list[str]
    date_text: str
    extra_links: list[ExtraLink]
    position: int
    added_on: dt.date | None
    todo: bool
    retired: bool
    verdict: Verdict | None = Field(None, description="Only for admins; null for everyone else.")


class EntryPage(Schema):
    items: list[EntryOut]
    next_cursor: str | None


class EnrolmentOut(Schema):
    curriculum: str
    title: str
    source: str
    started_at: dt.datetime
    target_date: dt.date | None


class EnrolmentPage(Schema):
    items: list[EnrolmentOut]
    next_cursor: str | None


class ProgressOut(Schema):
    entry_id: int
    status: StatusName


class ProgressPage(Schema):
    items: list[ProgressOut]
    next_cursor: str | None


class ProgressIn(Schema):
    status: StatusName


class NoteOut(Schema):
    id: int
    kind: str
    title: str
    author: str
    mine: bool
    curriculum: str | None
    entry_id: int | None
    resource_id: int | None
    tier_id: int | None
    topic_id: int | None
    body: str
    visibility: VisibilityName
    version: int
    updated_at: dt.datetime


class NotePage(Schema):
    items: list[NoteOut]
    next_cursor: str | None


class NoteCreate(Schema):
    """Exactly one of entry_id (a note), tier_id or topic_id (a summary)."""

    entry_id: int | None = Field(None, ge=1, le=2**31 - 1)
    tier_id: int | None = Field(None, ge=1, le=2**31 - 1)
    topic_id: int | None = Field(None, ge=1, le=2**31 - 1)
    body: str = Field("", max_length=MAX_NOTE_CHARS)
    visibility: VisibilityName = "private"


class NoteUpdate(Schema):
    body: str = Field(max_length=MAX_NOTE_CHARS)
    visibility: VisibilityName
    base_version: int = Field(
        ge=0, le=2**31 - 1, description="The version this edit started from; stale gets 409."
    )


class TeamOut(Schema):
    slug: str
    name: str


class PersonOut(Schema):
    id: int
    username: str
    name: str
    email: str


class TeamRowOut(Schema):
    """One person × one assigned curriculum: the dashboard's numbers."""

    person: PersonOut
    curriculum: str
    curriculum_title: str
    progress_percent: int
    done: int
    required: int
    entries_finished: int = Field(description="Entries done, counted as the weekly chart does.")
    expected_percent: int
    current_tier: str | None
    last_activity: dt.datetime | None
    notes: int
    start_date: dt.date
    due_date: dt.date
    state: str
    state_label: str


class TeamRowPage(Schema):
    items: list[TeamRowOut]
    next_cursor: str | None
    counts: dict[str, int] = Field(description="People per state over the whole team.")
