"""Benchmark: import generated reading lists of 1,000 and 10,000 entries; time and count queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/readlist .venv/bin/python bench/import.py

Like the other benches it builds a throwaway database of its own ("bench_" + the configured
name on PostgreSQL, in memory on SQLite) with DEBUG off, and drops it afterwards.
"""

from __future__ import annotations

import sys
import time
import uuid

from harness import setup_django, throwaway_database

setup_django()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from curricula.services import curriculum_import  # noqa: E402

TARGET_SECONDS = 10.0
RUN = uuid.uuid4().hex[:8]
HOST = f"bench-{RUN}.example.org"


def reading_list(count: int, *, tiers: int = 5, topics_per_tier: int = 4, offset: int = 0) -> str:
    """A list shaped like the seeds: tiers, numbered topics, core/practitioner groups."""
    lines = [f"# Benchmark list ({count:,} entries)", "", "## How to use this", "", "Read it.", ""]
    topics = tiers * topics_per_tier
    per_topic = -(-count // topics)
    n = 0
    for tier in range(1, tiers + 1):
        lines += [f"## Tier {tier} — Level {tier}", ""]
        for topic in range(1, topics_per_tier + 1):
            number = (tier - 1) * topics_per_tier + topic
            lines += [f"### {number}. Topic {number}", ""]
            for group in ("Core reading", "Practitioner insight"):
                lines += [f"#### {group}", ""]
                for _ in range(per_topic // 2 + 1):
                    if n >= count or n >= number * per_topic:
                        break
                    i = n + offset
                    if i % 3 == 0:
                        url = f"https://arxiv.org/abs/{9000 + i // 99999:04d}.{i % 99999:05d}"
                        url = url.replace("arxiv.org", f"{HOST}/arxiv")  # keep clear of real ids
                    else:
                        url = f"https://{HOST}/post/{i}"
                    lines.append(
                        f"- ✨ [Reading {i}: a title of a plausible length]({url}) (R{i}), "
                        f"Jul. {1 + i % 28} 2024. [code](https://{HOST}/code/{i}). `tag{i % 9}`"
                    )
                    if i % 4 == 0:
                        lines.append(f"  Why: reason {i}.")
                    n += 1
                lines.append("")
    lines += ["✨ Added after 2024/4/1", ""]
    return "\n".join(lines)


def measure(label: str, text: str, slug: str) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = curriculum_import(actor=None, text=text, slug=slug, source_name=label)
        elapsed = time.perf_counter() - started
    entries = result.summary["entries"]
    print(
        f"{label:<38} {elapsed:6.2f} s  {len(ctx.captured_queries):4d} queries  "
        f"(entries {entries['total']:,}: added {entries['added']:,}, updated "
        f"{entries['updated']:,}, moved {entries['moved']:,}, retired {entries['retired']:,}; "
        f"revision {'r' + str(result.revision.number) if result.revision else 'none'})"
    )
    return elapsed, len(ctx.captured_queries)


def main() -> int:
    with throwaway_database():
        return run()


def run() -> int:
    engine = connection.vendor
    print(f"Database: {engine} ({connection.settings_dict.get('NAME')}); run {RUN}")
    slugs = [f"bench-{RUN}-1k", f"bench-{RUN}-10k"]
    _, small_queries = measure("fresh import, 1,000 entries", reading_list(1_000), slugs[0])
    text = reading_list(10_000)
    big_time, big_queries = measure("fresh import, 10,000 entries", text, slugs[1])
    measure("re-import unchanged, 10,000 entries", text, slugs[1])
    measure("re-import, 10,000 with 1,000 replaced", reading_list(10_000, offset=1_000), slugs[1])
    flat = big_queries < 10_000 // 100  # far from one query per entry
    ok = big_time < TARGET_SECONDS and flat
    print(
        f"10,000 entries in {big_time:.2f} s (target < {TARGET_SECONDS:.0f} s); queries: "
        f"{small_queries} for 1,000 entries, {big_queries} for 10,000 "
        f"({'not growing per entry' if flat else 'GROWING PER ENTRY'}). "
        f"{'OK' if ok else 'TOO SLOW'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
