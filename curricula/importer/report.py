"""The change report an import prints (and stores on its revision)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from curricula import hooks
from curricula.importer.plan import ImportPlan, describe, different_work, relinked

PLACE_LABELS = {
    "entry": "entry URLs",
    "extra_link": "entry extra links",
    "excerpt": "entry excerpts",
    "guidance": "guidance",
    "description": "description",
    "tier_note": "tier notes",
    "topic_description": "topic descriptions",
}
GROUPS = (
    ("retired", "Retired (kept with people's work, no longer listed)"),
    (
        "relinked",
        "Relinked (same entry, new link: people's status and notes follow, "
        "except to what may be a different work)",
    ),
    ("moved", "Moved"),
    ("changed", "Changed"),
    ("revived", "Back in the list"),
    ("added", "Added"),
)
RELINKED_LIMIT = 500
# An entry's changed fields as an admin reads them (the JSON keeps the field names).
FIELD_LABELS = {
    "added_on": "date added",
    "url_as_written": "link as written",
    "date_text": "date",
    "extra_links": "extra links",
    "todo": "TODO",
    "link_added": "link added (people's status and notes go with it)",
    "link_removed": "link removed (people's status and notes stay with the entry)",
}


def retirement_warning(plan: ImportPlan) -> str:
    """A text that retires most of a list is more often a truncated file, or another list's,
    than a revision: say so before anyone confirms (nothing is deleted either way)."""
    retired = len(plan.retired_entries)
    live = retired + sum(1 for p in plan.entries if p.stored is not None and not p.revived)
    if retired < 2 or 2 * retired <= live:
        return ""
    return (
        f"this text retires {retired} of the {live} entries “{plan.slug}” lists now and keeps "
        f"{live - retired}: check that it is the complete list for this curriculum (nothing "
        "is deleted; importing the earlier text again brings them back)"
    )


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
        "changes": changes(plan),
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
    groups = summary.get("changes") or changes(plan)
    if not cur["created"]:
        for key, label in GROUPS:
            items = groups.get(key, [])
            if not items:
                continue
            lines.append(f"{label}: {len(items)}")
            lines.extend(f"  {_line(key, item)}" for item in items)
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
        lines.extend(f"  line {s.line}: {s.url} — {s.reason}" for s in skipped)
    else:
        lines.append("Skipped: nothing")
    lines.extend(f"Warning: {w}" for w in parsed.warnings)
    return "\n".join(lines)


def _people(found: dict | None) -> str:
    if not found or not found.get("people"):
        return "nobody has progress or notes on it"
    return f"{found['people']} people: {found['done']} finished, {found['notes']} wrote notes"


def _line(key: str, item: dict[str, Any]) -> str:
    title = item["title"]
    if key == "retired":
        return f"- {title} ({item.get('url') or 'no link'}) — {_people(item.get('work'))}"
    if key == "relinked":
        line = f"⇄ {title}: {item['old_url']} → {item['new_url']} — {_people(item.get('work'))}"
        if item.get("different_work"):
            line += (
                f" — different work? The old link is “{item['different_work']}”: their status "
                "and notes stay on it unless you say they follow"
            )
        return line
    if key == "moved":
        return f"↷ {title}: {item['from']} → {item['to']}"
    if key == "changed":
        return f"~ {title}: {', '.join(FIELD_LABELS.get(f, f) for f in item['fields'])}"
    if key == "revived":
        return f"↺ {title}"
    return f"+ {title} (line {item['line']})"


def changes(plan: ImportPlan) -> dict[str, list[dict[str, Any]]]:
    """Every change to entries, grouped, with nothing left out (JSON-ready)."""
    tier_name: dict[int | None, str] = {None: ""}
    topic_name: dict[int | None, str] = {None: ""}
    for planned_tier in plan.tiers:
        if planned_tier.stored is not None:
            tier_name[planned_tier.stored.pk] = planned_tier.stored.label
    tier_name.update({t.pk: t.label for t in plan.retired_tiers})
    for planned_topic in plan.topics:
        if planned_topic.stored is not None:
            topic_name[planned_topic.stored.pk] = planned_topic.stored.title
    topic_name.update({t.pk: t.title for t in plan.retired_topics})
    parsed = plan.parsed

    def place_now(entry) -> str:
        tier = next((t.label for t in parsed.tiers if t.number == entry.tier), "")
        topic = parsed.topics[entry.topic].title if entry.topic is not None else ""
        return " / ".join(filter(None, [topic, tier])) or "(top)"

    def place_was(stored) -> str:
        names = [topic_name.get(stored.topic_id, ""), tier_name.get(stored.tier_id, "")]
        return " / ".join(filter(None, names)) or "(top)"

    moved_links = relinked(plan)
    relinked_ids = {id(p) for p, _, _ in moved_links}
    resource_ids = [e.resource_id for e in plan.retired_entries if e.resource_id]
    resource_ids += [p.stored.resource_id for p, _, _ in moved_links if p.stored]
    entry_ids = [e.pk for e in plan.retired_entries if not e.resource_id]
    work = (
        hooks.work_counts(resource_ids=resource_ids, entry_ids=entry_ids)
        if resource_ids or entry_ids
        else {"resource": {}, "entry": {}}
    )
    out: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in GROUPS}
    for entry in plan.retired_entries:
        found = (
            work["resource"].get(entry.resource_id)
            if entry.resource_id
            else work["entry"].get(entry.pk)
        )
        out["retired"].append(
            {
                "title": entry.title,
                "url": getattr(entry, "resource_url", None) or "",
                "work": found or {"done": 0, "notes": 0, "people": 0},
            }
        )
    for planned, old, new in moved_links:
        stored = planned.stored
        other = different_work(plan, planned)
        out["relinked"].append(
            {
                "title": planned.parsed.title,
                "old_url": old,
                "new_url": new,
                # The old link's paper when the new one is another paper: work stays by default.
                "different_work": other,
                "follows": not other,
                "line": planned.parsed.line,
                "work": work["resource"].get(stored.resource_id if stored else None)
                or {"done": 0, "notes": 0, "people": 0},
            }
        )
    created = plan.curriculum is None  # a new curriculum: everything is added, nothing to list
    for planned in plan.entries:
        kind = describe(planned)
        entry = planned.parsed
        if kind == "added" and created:
            continue
        if kind == "added":
            out["added"].append({"title": entry.title, "url": entry.url, "line": entry.line})
        elif kind == "revived":
            out["revived"].append({"title": entry.title, "line": entry.line})
        elif kind in ("moved", "updated") and planned.stored is not None:
            was, now = place_was(planned.stored), place_now(entry)
            if {"tier", "topic"} & set(planned.changed) and was != now:
                out["moved"].append({"title": entry.title, "from": was, "to": now})
            fields = [
                f for f in planned.changed if f not in ("position", "tier", "topic", "resource")
            ]
            if id(planned) in relinked_ids:
                fields = [f for f in fields if f != "url_as_written"]
            elif "resource" in planned.changed:
                # A link-less item given a link, or a link dropped: people's work goes along.
                gained = bool(planned.values.get("resource_url"))
                fields = [f for f in fields if f != "url_as_written"]
                fields.insert(0, "link_added" if gained else "link_removed")
            if fields:
                out["changed"].append({"title": entry.title, "fields": fields})
    return out


def grouped_lines(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The preview's groups as (label, count, lines) for the admin page: complete, in the
    order an admin acts on them (what is retired and whose work it touches first)."""
    groups = summary.get("changes") or {}
    out = []
    for key, label in GROUPS:
        items = groups.get(key) or []
        if items:
            out.append(
                {
                    "key": key,
                    "label": label,
                    "count": len(items),
                    # Without the text report's "- " marker: the page lists them as bullets.
                    "lines": [_line(key, i).removeprefix("- ") for i in items],
                }
            )
    skipped = summary.get("links", {}).get("skipped") or []
    if skipped:
        out.append(
            {
                "key": "skipped",
                "label": "Links skipped (with the reason)",
                "count": len(skipped),
                "lines": [f"line {s['line']}: {s['url']} — {s['reason']}" for s in skipped],
            }
        )
    return out
