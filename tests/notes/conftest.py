"""Fixtures for the members' pages: a small curriculum with tiers, topics and roles."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def curriculum(db):
    """training-roles in miniature: one tier with a core, a practitioner and an optional entry."""
    c = factories.make_curriculum(
        slug="mini",
        title="Mini",
        completion_rule="core_practitioner_summary",
        note_template="What knob does this give me?\n\nWhen does it fail?\n",
    )
    tier = factories.make_tier(c, 1, title="Basics")
    topic = factories.make_topic(c, "Tokenisers", tier=tier, position=1)
    factories.make_entry(c, "Core paper", tier=tier, topic=topic, role="core", position=1)
    factories.make_entry(
        c, "Practitioner post", tier=tier, topic=topic, role="practitioner", position=2
    )
    factories.make_entry(c, "Optional talk", tier=tier, topic=topic, role="optional", position=3)
    factories.make_entry(c, "Link-less item", tier=tier, topic=topic, resource=None, position=4)
    return c


@pytest.fixture
def entries(curriculum):
    return list(curriculum.entries.order_by("position"))
