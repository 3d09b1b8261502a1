"""Completion rules: each curriculum's own, optional entries never counting."""

from __future__ import annotations

import pytest

from notes import rules
from notes.rules import EntryFacts as F

ALL, ALL_CORE, CPS = "all", "all_core", "core_practitioner_summary"


def facts(*rows):
    return [
        F(tier_id=t, topic_id=None, role=r, status=s, optional=r == "optional") for t, r, s in rows
    ]


def test_every_entry_rule_ignores_optional_entries():
    p = rules.compute(
        ALL, facts((None, "", "done"), (None, "", "to_read"), (None, "optional", "to_read"))
    )
    assert (p.done, p.total, p.percent) == (1, 2, 50)


def test_skipped_is_not_read():
    p = rules.compute(ALL, facts((None, "", "skipped")))
    assert not p.complete


def test_every_core_rule_counts_only_core_entries():
    p = rules.compute(ALL_CORE, facts((1, "core", "done"), (1, "practitioner", "to_read")))
    assert p.complete and p.total == 1


def test_every_core_rule_without_any_core_entry_falls_back_to_every_entry():
    p = rules.compute(ALL_CORE, facts((1, "", "done"), (1, "", "to_read")))
    assert (p.done, p.total) == (1, 2)


@pytest.mark.parametrize(
    ("statuses", "summary", "complete"),
    [
        (("done", "done"), True, True),
        (("done", "done"), False, False),
        (("done", "to_read"), True, False),
    ],
)
def test_core_practitioner_summary_per_tier(statuses, summary, complete):
    p = rules.compute(
        CPS,
        facts(
            (1, "core", statuses[0]), (1, "practitioner", statuses[1]), (1, "optional", "to_read")
        ),
        tier_ids=[1],
        summary_tiers=[1] if summary else [],
    )
    assert p.tiers[1].complete is complete
    assert p.tiers[1].total == 3


def test_a_topic_summary_counts_as_the_tiers_summary():
    row = [F(tier_id=1, topic_id=7, role="core", status="done", optional=False)]
    p = rules.compute(CPS, row, tier_ids=[1], summary_topics=[7])
    assert p.tiers[1].complete


def test_optional_tiers_count_for_nothing():
    p = rules.compute(ALL, facts((2, "", "to_read")), tier_ids=[2], optional_tiers=[2])
    assert p.total == 0 and p.tiers[2].optional
