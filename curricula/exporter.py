"""A curriculum written back out: Markdown the importer reads back, BibTeX and CSL-JSON."""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from curricula.importer import rules
from curricula.models import Curriculum, Entry, Tier, Topic

FORMATS = {
    "markdown": ("text/markdown; charset=utf-8", "md"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "csljson": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}
# A reader's own fields for an entry ({"status": …, "note": …}): the members' export of their
# reading (notes/exports.py) passes one; the catalogue itself knows nobody's reading.
Annotate = Callable[[Entry], dict[str, str]]
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def export(curriculum: Curriculum, fmt: str) -> str:
    if fmt == "markdown":
        return export_markdown(curriculum)
    if fmt == "bibtex":
        return export_bibtex(curriculum)
    if fmt == "csljson":
        return export_csljson(curriculum)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _active_entries(curriculum: Curriculum) -> list[Entry]:
    return list(
        curriculum.entries.active()
        .select_related("resource", "tier", "topic", "topic__tier")
        .order_by("position", "pk")
    )


# --- Markdown -----------------------------------------------------------------------------------
# What the importer reads back, entry shape by entry shape (tests/curricula/test_export*.py):
#   - [Title](url) (alias), date. [label](url). `tag`.   a linked entry and its tail
#   - **Title** (alias), date. `tag`.                    a link-less entry, named by its bold part
#     Links: [label](url). [label](url).                 …its extra links, never its own link
#     Why: …  /  TODO  /  Role: core                     notes, a to-do, a role not implied
#     - _"excerpt"_                                      a description, one paragraph per item
# Groups are bold lines, or <details> blocks when ungrouped entries follow them in the same list
# (a bold label lasts until the next marker; a <details> ends where it closes).


@dataclass
class _Context:
    optional_tiers: bool  # some tier is optional, so the importer makes the others' entries core
    optional: bool = False  # inside an optional tier's <details>


def export_markdown(curriculum: Curriculum) -> str:
    tiers = list(curriculum.tiers.filter(retired_in__isnull=True).order_by("position", "number"))
    topics = list(curriculum.topics.filter(retired_in__isnull=True).order_by("position", "pk"))
    entries = _active_entries(curriculum)
    context = _Context(optional_tiers=any(t.optional for t in tiers))

    out: list[str] = [f"# {curriculum.title}"]
    if curriculum.description.strip():
        out.append(curriculum.description.strip())
    loose = [e for e in entries if e.topic_id is None and e.tier_id is None]
    if loose:
        out.append(_grouped(loose, context))
    if curriculum.guidance.strip():
        guidance = curriculum.guidance.strip()
        out.append(guidance if guidance.startswith("#") else f"## About\n\n{guidance}")

    by_topic: dict[int | None, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_topic[entry.topic_id].append(entry)
    # Tiers written as headings: those topics sit in, or that hold entries outside any topic.
    heading_tiers = {t.tier_id for t in topics if t.tier_id} | {
        e.tier_id for e in entries if e.topic_id is None and e.tier_id
    }
    tier_level = 2
    for tier in tiers:
        if tier.pk not in heading_tiers:
            continue
        out.append("#" * tier_level + " " + _tier_heading(tier))
        if tier.note.strip():
            out.append(tier.note.strip())
        own = [e for e in by_topic[None] if e.tier_id == tier.pk]
        if own:
            out.append(_grouped(own, context))
        out.extend(
            _topics([t for t in topics if t.tier_id == tier.pk], by_topic, tier_level + 1, context)
        )
    grid_tiers = [t for t in tiers if t.pk not in heading_tiers]
    out.extend(_topics([t for t in topics if t.tier_id is None], by_topic, 2, context, grid_tiers))
    return "\n\n".join(out).rstrip() + "\n"


def _tier_heading(tier: Tier) -> str:
    title = tier.title.strip()
    if tier.optional:
        title = f"{title} (optional)".strip()
    return f"{tier.label} — {title}" if title else tier.label


def _topics(
    topics: list[Topic],
    by_topic: dict[int | None, list[Entry]],
    level: int,
    context: _Context,
    grid_tiers: list[Tier] | None = None,
) -> list[str]:
    out: list[str] = []
    part = ""
    for topic in topics:
        if topic.part and topic.part != part:
            part = topic.part
            out.append("#" * level + " " + part)
        topic_level = level + 1 if topic.part else level
        name = f"{topic.number}. {topic.title}" if topic.number else topic.title
        out.append("#" * topic_level + " " + name)
        if topic.description.strip():
            out.append(topic.description.strip())
        entries = by_topic.get(topic.pk, [])
        if grid_tiers is None or all(e.tier_id is None for e in entries):
            if entries:
                out.append(_grouped(entries, context))
            continue
        untiered = [e for e in entries if e.tier_id is None]
        if untiered:
            out.append(_grouped(untiered, context))
        for tier in grid_tiers:
            in_tier = [e for e in entries if e.tier_id == tier.pk]
            if not in_tier:
                continue
            if tier.optional:
                out.append(f"<details><summary><strong>{tier.label}</strong></summary>")
                out.append(_grouped(in_tier, replace(context, optional=True)))
                out.append("</details>")
            else:
                out.append(f"**{tier.label}**")
                out.append(_grouped(in_tier, context))
    return out


def _grouped(entries: list[Entry], context: _Context) -> str:
    """Entries in runs of the same group, each run under its group's label.

    A bold line rather than a sub-heading: a heading would end the tier marker of a grid,
    and a topic made only of sub-headings would read back as a part above topics. A bold
    label lasts until the next one, so when ungrouped entries follow a group the groups are
    written as <details> blocks instead, which end where they close.
    """
    runs: list[tuple[str, list[Entry]]] = []
    for entry in entries:
        if runs and runs[-1][0] == entry.group:
            runs[-1][1].append(entry)
        else:
            runs.append((entry.group, [entry]))
    boxed = any(not group and any(g for g, _ in runs[:n]) for n, (group, _) in enumerate(runs))
    chunks: list[str] = []
    for group, run in runs:
        if not group:
            chunks.append(_entry_list(run, context, group, boxed=False))
        elif boxed:
            chunks.append(f"<details><summary>{html.escape(group)}</summary>")
            chunks.append(_entry_list(run, context, group, boxed=True))
            chunks.append("</details>")
        else:
            chunks.append(f"**{_escape(group)}**")
            chunks.append(_entry_list(run, context, group, boxed=False))
    return "\n\n".join(chunks)


def _entry_list(entries: list[Entry], context: _Context, group: str, *, boxed: bool) -> str:
    return "\n".join(_entry(e, _implied_role(e, context, group, boxed=boxed)) for e in entries)


def _implied_role(entry: Entry, context: _Context, group: str, *, boxed: bool) -> str:
    """The role the importer gives an entry from where it is written (parser.py, rules.infer)."""
    tier_optional = bool(entry.tier and entry.tier.optional)
    if context.optional or tier_optional or (boxed and rules.optional_summary(group)):
        return Entry.Role.OPTIONAL
    role = rules.role_of(group)
    if not role and context.optional_tiers and entry.tier_id is not None:
        return Entry.Role.CORE
    return role


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _url(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


def _link(link: dict[str, Any]) -> str:
    label = _escape(str(link.get("label") or "link"))
    return f"[{label}]({_url(str(link.get('url', '')))})."


def _entry(entry: Entry, implied_role: str) -> str:
    mark = "✨ " if entry.added_on else ""
    url = entry.url_as_written or (entry.resource.url if entry.resource else "")
    title = _escape(entry.title)
    # A link-less entry's name is bold: it ends the title before the tail, and makes the
    # item an entry even when the name reads like a sentence.
    line = f"- {mark}[{title}]({_url(url)})" if url else f"- {mark}**{title}**"
    if entry.alias:
        line += f" ({_escape(entry.alias)})"
    tail = []
    if entry.date_text:
        tail.append(_escape(entry.date_text) + ".")
    extra = [_link(link) for link in entry.extra_links or []]
    if url:
        tail.extend(extra)
    if entry.tags:
        tail.append(" ".join(f"`{tag}`" for tag in entry.tags) + ".")
    if tail:
        line += ("," if entry.date_text else "") + " " + " ".join(tail)
    lines = [line]
    if extra and not url:
        # On a line of its own: a link on the title's line would be read as the entry's link.
        lines.append("  Links: " + " ".join(extra))
    if entry.why:
        lines.append("  Why: " + " ".join(entry.why.split()))
    if entry.todo:
        lines.append("  TODO")
    if entry.role != implied_role:
        lines.append(f"  Role: {entry.role or 'none'}")
    for paragraph in filter(None, (p.strip() for p in entry.excerpt.split("\n\n"))):
        body = paragraph.replace("\n", "\n    ")
        lines.append(f'  - _"{body}"_')
    return "\n".join(lines)


# --- Citations ----------------------------------------------------------------------------------
def _papers(curriculum: Curriculum) -> list[Entry]:
    """One entry per paper (the first that lists it), in the curriculum's order."""
    seen: set[int] = set()
    papers = []
    for entry in _active_entries(curriculum):
        resource = entry.resource
        if resource is None or resource.pk in seen:
            continue
        if resource.kind == "paper" or resource.arxiv_id or resource.doi:
            seen.add(resource.pk)
            papers.append(entry)
    return papers


def _authors(entry: Entry) -> list[str]:
    names: list[str] = []
    authors = (entry.resource.authors if entry.resource else None) or []
    for author in authors:
        if isinstance(author, str):
            names.append(author)
        elif isinstance(author, dict) and author.get("name"):
            names.append(str(author["name"]))
    return names


def _published_year(entry: Entry) -> int | None:
    """The year of the published version (from the journal reference), when known."""
    resource = entry.resource
    if resource is None or not resource.journal_ref:
        return None
    found = re.findall(r"\b(19[5-9]\d|20\d\d)\b", resource.journal_ref)
    return int(found[-1]) if found else None


def _cite_url(resource) -> str:
    """Cite the published version (its DOI) when there is one, else the link."""
    return f"https://doi.org/{resource.doi}" if resource.doi else resource.url


def _year(entry: Entry) -> int | None:
    published = _published_year(entry)
    if published:
        return published
    resource = entry.resource
    if resource is not None and resource.published:
        return resource.published.year
    found = re.search(r"\b(1[89]\d\d|20\d\d)\b", entry.date_text)
    return int(found.group(1)) if found else None


def _keys(papers: list[Entry]) -> list[str]:
    keys, used = [], set()
    for entry in papers:
        resource = entry.resource
        assert resource is not None
        if resource.arxiv_id:
            base = "arXiv:" + resource.arxiv_id.replace("/", "_")
        else:
            words = re.findall(r"[A-Za-z0-9]+", entry.title)[:3] or ["paper"]
            base = "".join(w.capitalize() for w in words) + (str(_year(entry) or ""))
        key, n = base, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        keys.append(key)
    return keys


def _bib_escape(text: str) -> str:
    text = " ".join(text.split())
    text = text.replace("\\", r"\textbackslash{}")
    text = re.sub(r"([&%$#_{}])", r"\\\1", text)
    return text.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def export_bibtex(curriculum: Curriculum, annotate: Annotate | None = None) -> str:
    papers = _papers(curriculum)
    out = [f"% {curriculum.title}: {len(papers)} papers, exported by Readlist"]
    for key, entry in zip(_keys(papers), papers, strict=True):
        resource = entry.resource
        assert resource is not None
        fields: list[tuple[str, str]] = [
            ("title", "{" + _bib_escape(resource.title or entry.title) + "}")
        ]
        authors = _authors(entry)
        if authors:
            fields.append(("author", " and ".join(_bib_escape(a) for a in authors)))
        year = _year(entry)
        if year:
            fields.append(("year", str(year)))
        if resource.arxiv_id:
            fields += [("eprint", resource.arxiv_id), ("archivePrefix", "arXiv")]
            if resource.primary_category:
                fields.append(("primaryClass", resource.primary_category))
        if resource.journal_ref:
            fields.append(("journal", _bib_escape(resource.journal_ref)))
        if resource.doi:
            fields.append(("doi", _bib_escape(resource.doi)))
        fields.append(("url", _cite_url(resource)))
        notes = [_bib_escape(entry.alias)] if entry.alias else []
        if resource.changes.withdrawn:
            notes.append("Withdrawn on arXiv")
        if notes:
            fields.append(("note", "; ".join(notes)))
        own = annotate(entry) if annotate else {}
        if own.get("status"):
            fields.append(("readstatus", _bib_escape(own["status"])))
        if own.get("note"):
            fields.append(("annotation", _bib_escape(own["note"])))
        kind = "article" if resource.journal_ref else "misc"
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        out.append(f"@{kind}{{{key},\n{body}\n}}")
    return "\n\n".join(out) + "\n"


def export_csljson(curriculum: Curriculum, annotate: Annotate | None = None) -> str:
    return json.dumps(csl_items(curriculum, annotate), ensure_ascii=False, indent=2) + "\n"


def csl_items(curriculum: Curriculum, annotate: Annotate | None = None) -> list[dict[str, Any]]:
    papers = _papers(curriculum)
    items: list[dict[str, Any]] = []
    for key, entry in zip(_keys(papers), papers, strict=True):
        resource = entry.resource
        assert resource is not None
        item: dict[str, Any] = {
            "id": key,
            "type": "article-journal" if resource.journal_ref else "article",
            "title": resource.title or entry.title,
            "URL": _cite_url(resource),
        }
        authors = _authors(entry)
        if authors:
            item["author"] = [_csl_name(name) for name in authors]
        if _published_year(entry):
            item["issued"] = {"date-parts": [[_published_year(entry)]]}
        elif resource.published:
            p = resource.published
            item["issued"] = {"date-parts": [[p.year, p.month, p.day]]}
        elif _year(entry):
            item["issued"] = {"date-parts": [[_year(entry)]]}
        if resource.arxiv_id:
            item.update(
                {"number": f"arXiv:{resource.arxiv_id}", "publisher": "arXiv", "archive": "arXiv"}
            )
        if resource.journal_ref:
            item["container-title"] = resource.journal_ref
        if resource.doi:
            item["DOI"] = resource.doi
        if resource.abstract:
            item["abstract"] = resource.abstract
        own = annotate(entry) if annotate else {}
        if own.get("status"):
            item["note"] = f"Readlist status: {own['status']}"
        if own.get("note"):
            item["annote"] = own["note"]
        items.append(item)
    return items


def _csl_name(name: str) -> dict[str, str]:
    parts = name.rsplit(" ", 1)
    if len(parts) == 2:
        return {"given": parts[0], "family": parts[1]}
    return {"literal": name}
