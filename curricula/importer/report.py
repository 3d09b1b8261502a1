"""The change report an import prints (and stores on its revision)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from curricula.importer.plan import ImportPlan, describe, relinked

PLACE_LABELS = {
    "entry": "entry URLs",
    "extra_link": "entry extra links",
    "excerpt": "entry excerpts",
    "guidance": "guidance",
    "description": "description",
    "tier_note": "tier notes",
    "topic_description": "topic descriptions",
}
LIST_LIMIT = 60
RELINKED_LIMIT = 500


def summarise(plan: ImportPlan) -> dict[str, Any]:
    """Counts of what the import does, JSON-ready (stored as Revision.summary)."""
    parsed = plan.parsed

    def tally(items) -> dict[str, int]:
        counts = Counter(describe(p) for p in items)
        return {k: counts.get(k, 0) for k in ("added", "updated", "moved", "revived", "unchanged")}

    linked = {
        plan.canonical[p.parsed.url].url for p in plan.entries if p.parsed.url in plan.canonical
    }
    new = set(plan.new_resource_urls)
    tier_labels = {t.number: t.label for t in parsed.tiers}
    per_tier = Counter(tier_labels.get(e.tier, "(no tier)") for e in parsed.entries)
    per_topic = Counter(
        parsed.topics[e.topic].title if e.topic is not None else "(no topic)"
        for e in parsed.entries
    )
    return {
        "curriculum": {
            "slug": plan.slug,
            "created": plan.curriculum is None,
            "changed_fields": plan.curriculum_changed,
        },
        "tiers": {
            "total": len(plan.tiers),
            **tally(plan.tiers),
            "retired": len(plan.retired_tiers),
        },
        "topics": {
            "total": len(plan.topics),
            **tally(plan.topics),
            "retired": len(plan.retired_topics),
        },
        "entries": {
            "total": len(plan.entries),
            **tally(plan.entries),
            "retired": len(plan.retired_entries),
            "link_less": sum(1 for e in parsed.entries if not e.url),
            "kept_why": len(plan.kept_why),
        },
        "resources": {"linked": len(linked), "new": len(new & linked), "shared": len(linked - new)},
        "links": {
            "placed": len(parsed.placed),
            "by_place": parsed.placed_counts(),
            "skipped": [{"url": s.url, "line": s.line, "reason": s.reason} for s in parsed.skipped],
        },
        # Entries whose link changed (readers of the curriculum's feed want to know).
        "relinked": [
            {
                "title": p.parsed.title,
                "from": getattr(p.stored, "resource_url", None) or "",
                "to": p.values.get("resource_url") or "",
            }
            for p in plan.entries
            if p.stored is not None and "resource" in p.changed
        ][:RELINKED_LIMIT],
        "per_tier": dict(per_tier),
        "per_topic": dict(per_topic),
        "warnings": list(parsed.warnings),
    }


def render(plan: ImportPlan, summary: dict[str, Any], *, headline: str) -> str:
    parsed = plan.parsed
    lines = [headline]
    cur = summary["curriculum"]
    if cur["created"]:
        lines.append(f"Curriculum: new, titled “{plan.curriculum_values['title']}”")
    elif cur["changed_fields"]:
        lines.append("Curriculum: changed " + ", ".join(cur["changed_fields"]))
    lines.append(
        f"Reading order: {parsed.reading_order}; completion rule: {parsed.completion_rule}"
    )

    def counts(name: str) -> str:
        data = summary[name]
        parts = [
            f"{k} {data[k]}"
            for k in ("added", "updated", "moved", "revived", "retired", "unchanged")
            if data.get(k)
        ]
        return f"{name.capitalize()}: {data['total']}" + (f" ({', '.join(parts)})" if parts else "")

    lines.append(counts("tiers"))
    for tier in parsed.tiers:
        name = f"{tier.label} — {tier.title}" if tier.title else tier.label
        flag = " [optional]" if tier.optional else ""
        lines.append(f"  {name}{flag}: {summary['per_tier'].get(tier.label, 0)} entries")
    lines.extend(f"  - retired: {t}" for t in plan.retired_tiers)
    lines.append(counts("topics"))
    for topic in parsed.topics:
        name = f"{topic.number}. {topic.title}" if topic.number else topic.title
        where = " / ".join(filter(None, [topic.part, f"Tier {topic.tier}" if topic.tier else ""]))
        lines.append(
            f"  {name}{f' ({where})' if where else ''}: "
            f"{summary['per_topic'].get(topic.title, 0)} entries"
        )
    lines.extend(f"  - retired: {t}" for t in plan.retired_topics)
    lines.append(counts("entries") + f"; {summary['entries']['link_less']} without a link")
    changes = []
    for planned in plan.entries:
        kind = describe(planned)
        if kind == "added":
            changes.append(f"  + {planned.parsed.title} (line {planned.parsed.line})")
        elif kind in ("updated", "revived"):
            fields = ", ".join(planned.changed) or "back in the list"
            changes.append(f"  ~ {planned.parsed.title}: {kind} ({fields})")
    changes.extend(f"  - {e.title}: retired" for e in plan.retired_entries)
    moved_links = relinked(plan)
    if moved_links and not cur["created"]:
        lines.append(f"Relinked (people's status and notes follow): {len(moved_links)}")
        lines.extend(f"  ⇄ {p.parsed.title}: {old} → {new}" for p, old, new in moved_links)
    if not cur["created"]:
        lines.extend(changes[:LIST_LIMIT])
        if len(changes) > LIST_LIMIT:
            lines.append(f"  … and {len(changes) - LIST_LIMIT} more changes")
    if plan.kept_why:
        lines.append(
            f"  Kept the earlier “Why:” of {len(plan.kept_why)} entries this text lists without "
            "one: " + "; ".join(plan.kept_why[:10]) + (" …" if len(plan.kept_why) > 10 else "")
        )
    res = summary["resources"]
    lines.append(
        f"Resources: {res['linked']} linked ({res['new']} new, "
        f"{res['shared']} already in the catalogue)"
    )
    by_place = ", ".join(
        f"{PLACE_LABELS.get(k, k)} {v}" for k, v in sorted(summary["links"]["by_place"].items())
    )
    lines.append(f"Links: {summary['links']['placed']} http(s) links placed ({by_place or 'none'})")
    skipped = parsed.skipped
    if skipped:
        lines.append(f"Skipped: {len(skipped)}")
        lines.extend(f"  line {s.line}: {s.url} — {s.reason}" for s in skipped[:LIST_LIMIT])
    else:
        lines.append("Skipped: nothing")
    lines.extend(f"Warning: {w}" for w in parsed.warnings)
    return "\n".join(lines)
