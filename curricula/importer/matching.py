"""How an import pairs the parsed items of a list with the rows stored from its earlier
revisions: greedy passes over keys, strictest first (curricula.importer.plan uses them)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from difflib import SequenceMatcher
from typing import Any, TypeVar
from urllib.parse import urlsplit

from curricula.importer.model import ParsedCurriculum
from curricula.models import Entry, Topic

T = TypeVar("T")
N = TypeVar("N")


def norm(text: str) -> str:
    """A title as compared across revisions: case, punctuation and spacing do not matter."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def loose_url(url: str | None) -> tuple[str, str, str] | None:
    """A canonical URL without what a revision may change in writing the same link: the
    scheme, a leading www., a trailing slash or index.html."""
    if not url:
        return None
    parts = urlsplit(url)
    path = re.sub(r"/(index\.html?)?$", "", parts.path)
    return (parts.netloc.removeprefix("www."), path, parts.query)


def match(
    new: Sequence[N],
    old: Sequence[T],
    keys: Iterable[tuple[Callable[[N], Hashable | None], Callable[[T], Hashable | None]]],
    prefer: Callable[[T], Any] = lambda _: 0,
) -> dict[int, T]:
    """Greedy matching in passes, strictest key first; each stored row is used once."""
    matched: dict[int, T] = {}
    used: set[int] = set()
    for new_key, old_key in keys:
        pool: dict[Hashable, list[T]] = defaultdict(list)
        for item in sorted(old, key=prefer):
            if id(item) not in used:
                key = old_key(item)
                if key is not None:
                    pool[key].append(item)
        for index, item in enumerate(new):
            if index in matched:
                continue
            key = new_key(item)
            candidates = pool.get(key) if key is not None else None
            while candidates:
                candidate = candidates.pop(0)
                if id(candidate) not in used:
                    used.add(id(candidate))
                    matched[index] = candidate
                    break
    return matched


def match_topics_by_entries(
    parsed: ParsedCurriculum,
    stored_topics: list[Topic],
    by_topic: dict[int, Topic],
    by_entry: dict[int, Entry],
) -> None:
    """Pair each unmatched parsed topic with the unmatched stored topic that holds more than
    half of its matched entries (strongest pairs first); `by_topic` is completed in place."""
    used = {id(t) for t in by_topic.values()}
    free = {t.pk: t for t in stored_topics if id(t) not in used}
    counts: dict[int, Counter[int]] = defaultdict(Counter)
    for index, entry in enumerate(parsed.entries):
        stored = by_entry.get(index)
        if entry.topic is not None and entry.topic not in by_topic and stored is not None:
            counts[entry.topic][stored.topic_id or 0] += 1
    pairs = []
    for topic_index, found in counts.items():
        total = sum(found.values())
        for topic_id, count in found.items():
            if topic_id in free and 2 * count > total:
                pairs.append((-count, topic_index, topic_id))
    for _, topic_index, topic_id in sorted(pairs):
        if topic_index not in by_topic and topic_id in free:
            by_topic[topic_index] = free.pop(topic_id)


def similar(a: str, b: str) -> bool:
    """Two titles of the same work: one's words mostly within the other's, or nearly equal."""
    left, right = norm(a), norm(b)
    if not left or not right:
        return True  # nothing to tell them apart by
    short, long = sorted((set(left.split()), set(right.split())), key=len)
    if len(short & long) >= 0.8 * len(short):
        return True
    return SequenceMatcher(None, left, right).ratio() >= 0.75
