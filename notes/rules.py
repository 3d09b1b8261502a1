"""Completion rules: how far a person is through each tier of a curriculum, by its own rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from curricula.models import Curriculum, Entry

DONE = "done"


@dataclass
class Step:
    label: str
    done: bool


@dataclass
class TierProgress:
    """Progress through one tier (tier_id None: entries outside any tier)."""

    tier_id: int | None
    steps: list[Step] = field(default_factory=list)
    optional: bool = False

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_count(self) -> bool:
        """Steps are one per entry (shown as "3 of 5 read") rather than named checks."""
        return bool(self.steps) and all(s.label == "" for s in self.steps)


@dataclass
class Counted:
    """A tier's progress under a counting rule ("every entry", "every core entry") as counts:
    what TierProgress gives with one step per entry, without a step object per entry."""

    tier_id: int | None
    done: int
    total: int
    optional: bool = False
    steps: tuple = ()

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_count(self) -> bool:
        return self.total > 0


@dataclass
class CurriculumProgress:
    tiers: dict[int | None, TierProgress | Counted]

    @property
    def done(self) -> int:
        return sum(t.done for t in self.tiers.values())

    @property
    def total(self) -> int:
        return sum(t.total for t in self.tiers.values())

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total


@dataclass(frozen=True)
class EntryFacts:
    """What the rules need to know about one entry and my status on it."""

    tier_id: int | None
    topic_id: int | None
    role: str
    status: str
    optional: bool


def rule_text(rule: str) -> str:
    return {
        Curriculum.CompletionRule.CORE_PRACTITIONER_SUMMARY: (
            "Per tier: read one core and one practitioner source, then write a summary."
        ),
        Curriculum.CompletionRule.ALL_CORE: "Read every core entry.",
        Curriculum.CompletionRule.ALL: "Read every entry.",
    }.get(rule, "")


def compute(
    rule: str,
    facts: Iterable[EntryFacts],
    *,
    tier_ids: Iterable[int | None] = (),
    optional_tiers: Iterable[int] = (),
    summary_tiers: Iterable[int] = (),
    summary_topics: Iterable[int] = (),
) -> CurriculumProgress:
    """Optional entries and tiers never count against anyone; skipped is not read."""
    optional_set = set(optional_tiers)
    by_tier: dict[int | None, list[EntryFacts]] = {t: [] for t in tier_ids}
    for f in facts:
        by_tier.setdefault(f.tier_id, []).append(f)
    any_core = any(
        f.role == Entry.Role.CORE and not f.optional for fs in by_tier.values() for f in fs
    )
    result: dict[int | None, TierProgress] = {}
    summary_tier_set, summary_topic_set = set(summary_tiers), set(summary_topics)
    for tier_id, tier_facts in by_tier.items():
        tp = TierProgress(tier_id, optional=tier_id in optional_set)
        result[tier_id] = tp
        if tp.optional:
            continue
        required = [f for f in tier_facts if not f.optional]
        if rule == Curriculum.CompletionRule.CORE_PRACTITIONER_SUMMARY:
            if not required:
                continue
            core = [f for f in required if f.role == Entry.Role.CORE]
            practitioner = [f for f in required if f.role == Entry.Role.PRACTITIONER]
            if core:
                tp.steps.append(Step("a core source read", any(f.status == DONE for f in core)))
            if practitioner:
                tp.steps.append(
                    Step(
                        "a practitioner source read",
                        any(f.status == DONE for f in practitioner),
                    )
                )
            if not core and not practitioner:
                tp.steps.append(Step("a source read", any(f.status == DONE for f in required)))
            has_summary = (tier_id is not None and tier_id in summary_tier_set) or any(
                f.topic_id in summary_topic_set for f in tier_facts
            )
            tp.steps.append(Step("a summary written", has_summary))
        else:
            if rule == Curriculum.CompletionRule.ALL_CORE and any_core:
                required = [f for f in required if f.role == Entry.Role.CORE]
            tp.steps.extend(Step("", f.status == DONE) for f in required)
    return CurriculumProgress(result)


# Which roles each named step of the first rule is satisfied by.
STEP_ROLES = {
    "a core source read": (Entry.Role.CORE,),
    "a practitioner source read": (Entry.Role.PRACTITIONER,),
    "a source read": None,  # any entry of the tier
}


@dataclass(frozen=True)
class Missing:
    """What the rule still asks of a person, for "Next": the (tier, roles) whose step is not
    done (roles None: any entry of the tier), and the tiers whose sources are read but whose
    summary is not written, in the order the progress lists its tiers."""

    groups: tuple[tuple[int | None, tuple[str, ...] | None], ...]
    summaries: tuple[int, ...]


def missing(progress: CurriculumProgress) -> Missing | None:
    """For the "core + practitioner + summary" rule, what is left in each tier (None for the
    counting rules: there every entry not read is still wanted). A tier's extra core sources,
    once one is read, are not asked for: the rule needs one of each."""
    groups: list[tuple[int | None, tuple[str, ...] | None]] = []
    summaries: list[int] = []
    named = False
    for tier_id, tier in progress.tiers.items():
        steps = list(getattr(tier, "steps", ()))
        if not steps or all(s.label == "" for s in steps):
            continue
        named = True
        if tier.optional:
            continue
        sources_done = True
        for step in steps:
            if step.label in STEP_ROLES and not step.done:
                groups.append((tier_id, STEP_ROLES[step.label]))
                sources_done = False
        summary = next((s for s in steps if s.label == "a summary written"), None)
        if summary is not None and not summary.done and sources_done and tier_id is not None:
            summaries.append(tier_id)
    return Missing(tuple(groups), tuple(summaries)) if named else None
