"""An import's query count does not grow with the number of entries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curricula.models import Entry
from curricula.services import curriculum_import

pytestmark = pytest.mark.django_db


def reading_list(
    count: int, *, site: str, offset: int = 0, tiers: int = 3, topics_per_tier: int = 2
) -> str:
    lines = ["# Generated list", ""]
    per_topic = max(1, count // (tiers * topics_per_tier))
    n = 0
    for tier in range(1, tiers + 1):
        lines += [f"## Tier {tier} — Level {tier}", ""]
        for topic in range(1, topics_per_tier + 1):
            lines += [f"### {topic}. Topic {tier}.{topic}", "", "#### Core reading", ""]
            for _ in range(per_topic):
                if n >= count:
                    break
                i = n + offset
                lines.append(
                    f"- [Paper {i}](https://{site}.example.org/paper/{i}), 2024. `tag{i % 7}`"
                )
                n += 1
            lines.append("")
    return "\n".join(lines)


def assert_flat(small: int, large: int) -> None:
    # New rows go in one COPY (PostgreSQL) or one prepared INSERT (SQLite); lookups by URL
    # are chunked only beyond 900 URLs: 60 or 480 entries cost the same.
    assert large == small, (small, large)


def queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        curriculum_import(actor=None, **kwargs)
    return len(ctx.captured_queries)


def test_a_fresh_import_takes_the_same_queries_for_60_or_480_entries():
    small = queries(text=reading_list(60, site="small"), slug="small")
    large = queries(text=reading_list(480, site="large"), slug="large")
    assert Entry.objects.filter(curriculum__slug="large").count() == 480
    assert_flat(small, large)


def test_a_reimport_that_changes_everything_takes_the_same_queries():
    curriculum_import(actor=None, text=reading_list(60, site="small"), slug="small")
    curriculum_import(actor=None, text=reading_list(480, site="large"), slug="large")
    # Half the entries replaced (added + retired), the rest moved.
    small = queries(text=reading_list(60, site="small", offset=30), slug="small")
    large = queries(text=reading_list(480, site="large", offset=240), slug="large")
    assert Entry.objects.filter(curriculum__slug="large", retired_in__isnull=False).count() == 240
    assert_flat(small, large)
