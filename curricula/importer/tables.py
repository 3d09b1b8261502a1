"""A table row read as one entry: the cell that names the work, its link, the rest as detail."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from curricula.importer.htmlparse import Cell, Link
from curricula.importer.inline import EntryParts, is_http, looks_like_date
from curricula.importer.rules import NAVIGATION
from curricula.importer.titles import (
    is_dateish,
    is_generic,
    is_symbolic,
    reads_like_title,
    split_long,
    strip_lead,
)

_NAMING = re.compile(
    r"\b(title|titles|paper|papers|name|lesson|lessons|course|courses|project|projects|model"
    r"|models|book|books|resource|resources|article|articles|work|reading|readings|talk|tool"
    r"|tools|library|dataset|datasets|benchmark|benchmarks|method|topic)\b",
    re.I,
)
_DETAIL = re.compile(
    r"^(date|dates|year|month|time|when|links?|code|tweet|url|institute|institution|org"
    r"|organi[sz]ation|company|affiliation|keywords?|tags?|authors?|venue|duration|effort|cost"
    r"|prereq\w*|prerequisites?|discussion|chat|no\.?|#|number|lab|notes?|stars?|licen[cs]e"
    r"|pytorch|tensorflow|keras.*|intro|abstract|summary|description)$",
    re.I,
)
_TAGS = re.compile(r"^(keywords?|tags?)$", re.I)
_NUMBERING = re.compile(r"^(?:[ivxlc]{1,6}|x?\d{1,4}[a-z]?)\.?$", re.I)


@dataclass
class RowResult:
    kind: str  # entry, group, none
    parts: EntryParts | None = None
    label: str = ""
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    placed: list[str] = field(default_factory=list)  # http links kept with a group label


def expand(cells: list[Cell]) -> list[Cell]:
    """Cells with colspan repeated as empty cells, so that columns line up with the header."""
    out: list[Cell] = []
    for cell in cells:
        out.append(cell)
        out.extend(Cell() for _ in range(cell.span - 1))
    return out


def _link_text_only(cell: Cell) -> bool:
    text = cell.clean
    for link in cell.links:
        text = text.replace(link.label, " ")
    return not re.sub(r"[\s,;/|·•()\[\]]+", "", text)


def _score(index: int, cell: Cell, heading: str) -> float:
    text = cell.clean
    if not text:
        return -100.0
    score = -0.01 * index
    if _NAMING.search(heading):
        score += 3
    if _DETAIL.match(heading.strip()):
        score -= 3
    if any(not link.image and not is_generic(link.label) for link in cell.links):
        score += 2
    if cell.strong and not is_generic(cell.strong[0]):
        score += 1
    if is_dateish(text) or is_symbolic(text) or _NUMBERING.match(text):
        score -= 6
    return score


def _title(cell: Cell) -> tuple[str, str, Link | None]:
    """(title, the rest of the cell's text, the link the title came from)."""
    for link in cell.links:
        if not link.image and not is_generic(link.label):
            rest = cell.clean.replace(link.label, "", 1)
            return link.label, rest, link
    for bold in cell.strong:
        if not is_generic(bold):
            return bold, cell.clean.replace(bold, "", 1), None
    first, _, more = cell.text.partition("\n")  # "Lesson A<br/>Lesson B": A names the row
    text, _ = strip_lead(" ".join(first.split()))
    title, rest = split_long(text)
    return title, " ".join(filter(None, [rest, " ".join(more.split())])), None


def read_row(header: list[str], cells: list[Cell]) -> RowResult:
    cells = expand(cells)
    filled = [
        (i, c) for i, c in enumerate(cells) if c.clean and not _NUMBERING.match(c.clean.strip())
    ]
    result = RowResult("none")
    if not filled:
        for cell in cells:
            for link in cell.links:
                result.skipped.append((link.href, "table cell without a name"))
        return result
    if len(filled) == 1:
        cell = filled[0][1]
        if cell.strong and " ".join(cell.strong) == cell.clean:
            # A row that is only a bold label ("II | **Symbolic AI**") heads the rows below.
            result.kind, result.label = "group", cell.clean
            for link in (lk for c in cells for lk in c.links):
                if is_http(link.href) and not link.image:
                    result.placed.append(link.href)
                else:
                    result.skipped.append((link.href, _reason(link)))
            return result
    if not any(cell.links for cell in cells):
        # A row with nothing to follow is a remark in the table, kept as text.
        result.kind, result.label = "note", " | ".join(c.clean for c in cells if c.clean)
        return result
    heading = [header[i] if i < len(header) else "" for i in range(len(cells))]
    best = max(range(len(cells)), key=lambda i: _score(i, cells[i], heading[i]))
    naming = cells[best]
    title, rest, source = _title(naming)
    links = [(i, lk) for i, c in enumerate(cells) for lk in c.links]
    http = [(i, lk) for i, lk in links if is_http(lk.href) and not lk.image]
    main = None
    if source is not None:
        main = source if is_http(source.href) else None  # a relative link names a file
    elif naming.links:
        main = next((lk for lk in naming.links if is_http(lk.href) and not lk.image), None)
    else:
        # "| **Title** - summary | [Paper](…), [Tweet](…) |": the first kind-of-link link.
        generic = [
            lk
            for i, lk in http
            if i != best and is_generic(lk.label) and not NAVIGATION.match(lk.label)
        ]
        main = (generic or [None])[0]
    if not title.strip() or (main is None and not reads_like_title(title)):
        result.skipped.extend((lk.href, "table row without a title") for _, lk in links)
        return result
    parts = EntryParts(title=title.strip(), url=main.href if main else "")
    details: list[str] = []
    rest = rest.strip(" \t,.;:|—–-")
    if rest:
        details.append(rest)
    for i, link in links:
        if link is main:
            continue
        if link.image:
            result.skipped.append((link.href, _reason(link)))
        elif not is_http(link.href):
            parts.non_http.append(link.href)
        else:
            label = link.label if not is_generic(link.label) or link.label else ""
            parts.extra_links.append({"label": label or heading[i] or "link", "url": link.href})
    for i, cell in enumerate(cells):
        if i == best or not cell.clean or _link_text_only(cell):
            continue
        text = cell.clean
        for link in cell.links:
            text = text.replace(link.label, "").strip(" ,;")
        if looks_like_date(text) and not parts.date_text:
            parts.date_text = text
        elif _TAGS.match(heading[i].strip()):
            parts.tags.extend(t.strip() for t in text.split(",") if t.strip())
        elif text and not _NUMBERING.match(text):
            details.append(f"{heading[i]}: {text}" if heading[i] else text)
    parts.summary = "\n\n".join(details)
    result.kind, result.parts = "entry", parts
    return result


def _reason(link: Link) -> str:
    if link.image:
        return "image or badge"
    if link.href.startswith("#"):
        return "anchor in the same page"
    if not is_http(link.href):
        return "relative link (the file it points to is not part of this import)"
    return "not a reading"
