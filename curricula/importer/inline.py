"""One entry's fields read from the inline tokens of its first paragraph."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from curricula.importer.blocks import plain_text
from curricula.importer.titles import is_generic, is_symbolic, split_long, strip_lead

SPARKLES = ("✨", "🆕")
_BARE_URL = re.compile(r"https?://[^\s<>\[\]()\"'`]+")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTH = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b", re.I
)
_WHY = re.compile(r"^\s*why\s*[:：]\s*(.*)$", re.I | re.S)
_TODO = re.compile(r"^\s*TODO\b[\s:.\-–—]*(.*)$", re.S)
# Lines the exporter writes under an entry, which never hold the entry's own link.
_ROLE = re.compile(r"^\s*role\s*:\s*(core|practitioner|optional|none)\s*\.?\s*$", re.I)
_LINKS = re.compile(r"^\s*(?:links?|see\s+also)\s*:\s*", re.I)
_EDGE = " \t,.;:|—–-"
_PLACEHOLDER = "\x00"
# A citation: the title, its year in parentheses, then authors or a venue.
_CITED = re.compile(
    r"^(?P<title>.{8,}?)\s+\((?P<year>(?:1[89]|20)\d\d)\)(?P<rest>(?:[,.;:]\s.*)?)$"
)


def is_http(href: str) -> bool:
    return href.lower().startswith(("http://", "https://"))


def repair_href(href: str) -> str:
    """ "[https://…" (a stray bracket typed before the URL) is the URL after it."""
    stripped = href.lstrip("[<(\"' ")
    if stripped != href and is_http(stripped):
        return stripped
    return href


def looks_like_date(text: str) -> bool:
    text = text.strip()
    return len(text) <= 40 and bool(_YEAR.search(text) or _MONTH.search(text))


@dataclass
class Atom:
    kind: str  # text, strong, em, code, link, html
    text: str
    href: str = ""


def atom_lines(children: list[Token]) -> list[list[Atom]]:
    """Inline tokens as lines of atoms; emphasis around a link is unwrapped to keep the link."""
    lines: list[list[Atom]] = [[]]
    _atoms(children, lines)
    return lines


def _atoms(children: list[Token], lines: list[list[Atom]]) -> None:
    i = 0
    while i < len(children):
        token = children[i]
        kind = token.type
        if kind in ("softbreak", "hardbreak"):
            lines.append([])
        elif kind == "text":
            _split_bare_urls(token.content, lines[-1])
        elif kind == "code_inline":
            lines[-1].append(Atom("code", token.content))
        elif kind == "html_inline":
            lines[-1].append(Atom("html", ""))
        elif kind == "image":
            src = str(token.attrs.get("src", ""))
            lines[-1].append(Atom("link", plain_text(token.children or []) or "image", src))
        elif kind.endswith("_open"):
            close = kind.replace("_open", "_close")
            depth, j = 1, i + 1
            while j < len(children) and depth:
                depth += {kind: 1, close: -1}.get(children[j].type, 0)
                j += 1
            inner = children[i + 1 : j - 1]
            if kind == "link_open":
                href = repair_href(str(token.attrs.get("href", "")))
                lines[-1].append(Atom("link", plain_text(inner), href))
            elif any(t.type in ("link_open", "image", "softbreak", "hardbreak") for t in inner) or (
                kind == "em_open"
                and any(t.type == "text" and _BARE_URL.search(t.content) for t in inner)
            ):  # "*… Available: https://…*": the URL is kept as a link
                _atoms(inner, lines)
            else:
                lines[-1].append(Atom(kind.split("_")[0], plain_text(inner)))
            i = j
            continue
        i += 1


def _split_bare_urls(text: str, line: list[Atom]) -> None:
    pos = 0
    for match in _BARE_URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?")
        if match.start() > pos:
            line.append(Atom("text", text[pos : match.start()]))
        line.append(Atom("link", url, url))
        pos = match.start() + len(url)
    if pos < len(text):
        line.append(Atom("text", text[pos:]))


def atoms_text(atoms: list[Atom]) -> str:
    return " ".join("".join(a.text for a in atoms if a.kind != "link").split())


@dataclass
class EntryParts:
    title: str
    url: str = ""
    alias: str = ""
    why: str = ""
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    date_text: str = ""
    extra_links: list[dict[str, str]] = field(default_factory=list)
    sparkle: bool = False
    todo: bool = False
    non_http: list[str] = field(default_factory=list)  # hrefs that are not http(s)
    summary: str = ""  # the rest of a summary written where the title goes
    role: str | None = None  # "Role: …" written under the entry; None when not said
    named: bool = False  # a link-less item led by its bold name: an entry whatever it reads like

    def add_line(self, atoms: list[Atom], raw: str) -> None:
        """A continuation line: `Why: …`, `TODO`, `Role: …`, `Links: …`, more links, a remark."""
        why = _WHY.match(raw)
        if why:
            self.why = " ".join([self.why, why.group(1).strip()]).strip()
            return
        todo = _TODO.match(raw)
        if todo:
            self.todo = True
            if todo.group(1).strip():
                self.notes.append(todo.group(1).strip())
            return
        role = _ROLE.match(raw)
        if role:
            self.role = "" if role.group(1).lower() == "none" else role.group(1).lower()
            return
        links = [a for a in atoms if a.kind == "link"]
        for link in links:
            self._extra(link)
        text = atoms_text(atoms) if links else raw.strip()
        text = _LINKS.sub("", text, count=1).strip(_EDGE) if links else text
        if text:
            self.notes.append(text)

    def _extra(self, link: Atom) -> None:
        if not is_http(link.href):
            self.non_http.append(link.href)
            return
        label = link.text.strip().removeprefix("[").removesuffix("]").strip() or "link"
        if label == link.href:
            label = "link"
        self.extra_links.append({"label": label, "url": link.href})

    def tail(self, atoms: list[Atom]) -> None:
        """What follows the main link on its line: (alias), date, [code](…), `tags`."""
        pieces = []
        for atom in atoms:
            if atom.kind == "link":
                self._extra(atom)
                pieces.append(_PLACEHOLDER)
            elif atom.kind == "code":
                self.tags.append(atom.text.strip())
                pieces.append(_PLACEHOLDER)
            else:
                pieces.append(atom.text.replace(_PLACEHOLDER, ""))
        text = "".join(pieces)

        def paren(match: re.Match[str]) -> str:
            inner = match.group(1)
            if not inner.replace(_PLACEHOLDER, "").strip(_EDGE):
                return _PLACEHOLDER  # "([video](…))": the link is already kept
            if _PLACEHOLDER in inner or len(inner) > 60:
                return match.group(0)
            if looks_like_date(inner):
                if self.date_text:
                    return match.group(0)  # a second date is part of the remark
                self.date_text = " ".join(inner.split())
                return _PLACEHOLDER
            if not self.alias:
                self.alias = " ".join(inner.split())
                return _PLACEHOLDER
            return match.group(0)

        text = re.sub(r"\(([^()]*)\)", paren, text)
        for piece in text.split(_PLACEHOLDER):
            piece = " ".join(piece.split()).strip(_EDGE)
            if not piece:
                continue
            if looks_like_date(piece) and not self.date_text:
                self.date_text = piece
            else:
                self.notes.append(piece)


def strip_sparkle(line: list[Atom]) -> bool:
    """Remove a leading ✨ from a line of atoms; True when there was one."""
    while line and line[0].kind == "text" and not line[0].text.strip():
        line.pop(0)
    if line and line[0].kind == "text":
        stripped = line[0].text.lstrip()
        for mark in SPARKLES:
            if stripped.startswith(mark):
                line[0] = Atom("text", stripped[len(mark) :])
                return True
    return False


def continuation(line: list[Atom]) -> bool:
    """`Why: …`, `TODO`, `Role: …` or `Links: …`: a line about the entry above it."""
    text = atoms_text(line)
    return any(p.match(text) for p in (_WHY, _TODO, _ROLE, _LINKS))


def main_link(lines: list[list[Atom]]) -> tuple[int, int] | None:
    """Where the entry's own link is: on the first line, or the second under a title line."""
    for number, line in enumerate(lines[:2]):
        if number == 1 and continuation(line):
            return None  # "Why: … [see](…)", "Links: [code](…)": the entry has no link
        for index, atom in enumerate(line):
            if atom.kind == "link" and is_http(atom.href):
                return number, index
        if number == 0 and any(a.kind == "link" for a in line):
            return None  # the first line links elsewhere (mailto:, #anchor): not an entry
        if number == 0 and not atoms_text(line):
            return None
    return None


def read_entry(children: list[Token], raw: str, *, list_item: bool) -> EntryParts | None:
    """Fields of an entry from a paragraph's inline tokens; None if it is not an entry."""
    lines = atom_lines(children)
    raw_lines = raw.split("\n")
    if len(raw_lines) != len(lines):
        raw_lines = [atoms_text(line) for line in lines]
    sparkle = strip_sparkle(lines[0])
    where = main_link(lines)
    if where is None:
        if not list_item:
            return None
        lead = next((a for a in lines[0] if _leads(a)), None)
        if lead is not None and lead.kind == "strong" and _names(lines[0], lead):
            # "**Name** (alias), 2023. `tag`.": the bold part is the title, the rest its tail.
            parts = EntryParts(title=" ".join(lead.text.split()), sparkle=sparkle, named=True)
            parts.tail(lines[0][lines[0].index(lead) + 1 :])
            for atoms, line_raw in zip(lines[1:], raw_lines[1:], strict=True):
                parts.add_line(atoms, line_raw)
            return parts
        named = next(
            (
                a.text
                for a in lines[0]
                if a.kind == "link" and not a.href.startswith("#") and not is_generic(a.text)
            ),
            "",
        )
        # "[Roadmap](../roadmap.md) ⭐ 2024": the name is the (relative) link's text.
        title = named or atoms_text(lines[0]).strip(_EDGE) or raw_lines[0].strip()
        parts = EntryParts(title=" ".join(title.split()), sparkle=sparkle, named=bool(named))
        if named:
            rest = atoms_text(lines[0]).strip(_EDGE)
            if rest:
                parts.notes.append(rest)
        for link in (a for a in lines[0] if a.kind == "link"):
            parts._extra(link)
        for atoms, line_raw in zip(lines[1:], raw_lines[1:], strict=True):
            parts.add_line(atoms, line_raw)
        return parts

    line_no, index = where
    line = lines[line_no]
    link = line[index]
    before = [a for a in line[:index] if a.kind != "html"]
    first = next((a for a in before if a.text.strip()), None)
    if not list_item:
        # A paragraph is an entry only when it leads with its link or a bold title; otherwise
        # it is prose that happens to contain a link.
        lead_line = lines[0] if line_no == 1 else before
        lead = next((a for a in lead_line if a.text.strip()), None)
        if lead is not None and lead.kind != "strong":
            return None
    lead_atom = next((a for a in lines[0] if a.text.strip() or a.kind == "link"), None)
    if lead_atom is not None and lead_atom.kind == "link" and lead_atom.href.startswith("#"):
        return None  # "[Core CS](#core-cs) assumes …": prose about the document's parts
    if _prose(before, link):
        return None  # a sentence that mentions a link, not a reading
    parts = EntryParts(title="", url=link.href, sparkle=sparkle)
    label = " ".join(link.text.split())
    generic = is_generic(label) or label == link.href
    if line_no == 1:
        title_line = lines[0]
        # "🌟 **Title**" over "arXiv 2025, [Paper](…)": a mark before the name is not part of it
        lead = next((a for a in title_line if a.text.strip() and _leads(a)), None)
        if lead is not None and lead.kind == "strong":
            parts.title = " ".join(lead.text.split())
            parts.tail(title_line[title_line.index(lead) + 1 :])
        else:
            parts.title = strip_lead(atoms_text(title_line))[0] or atoms_text(title_line)
        parts.tail(line[:index])
    elif first is not None and first.kind == "strong" and not is_generic(first.text):
        parts.title = " ".join(first.text.split())
        rest = atoms_text(before[before.index(first) + 1 :]).strip(_EDGE)
        cited = _CITED.match(f"{parts.title} {rest}")
        if cited and cited["title"] == parts.title:
            # "**Title** (2016), T. Salimans et al. [[pdf]](…)": the year is the date.
            parts.date_text, rest = cited["year"], cited["rest"].strip(_EDGE)
        if rest:
            parts.notes.append(rest)
    else:
        raw_prefix = atoms_text(before)
        prefix, lead_date = strip_lead(raw_prefix)
        if lead_date and not parts.date_text:
            parts.date_text = lead_date
        bold = next((a.text for a in line if a.kind == "strong" and not is_generic(a.text)), "")
        if not generic:
            parts.title = label
            if prefix and not is_generic(prefix):
                parts.notes.append(prefix)
        elif bold:
            parts.title = " ".join(bold.split())
            line = [a for a in line if not (a.kind == "strong" and a.text == bold)]
            index = line.index(link)
        elif prefix and not is_generic(prefix):
            # "Title: https://…", "Title — [pdf](…)", "⭐ 01/2023: Title [paper](…)"
            parts.title = prefix
            cited = _CITED.match(prefix)
            if cited:  # "Title (2017), J. Gehring et al. [[pdf]](…)"
                parts.title = cited["title"]
                parts.date_text = parts.date_text or cited["year"]
                if cited["rest"].strip(_EDGE):
                    parts.notes.append(cited["rest"].strip(_EDGE))
        else:
            following = line[index + 1 :]
            while following and (following[0].kind == "link" or not following[0].text.strip()):
                following = following[1:]  # "[[Paper]](…) [[Code]](…) LoRA: …": past the run
            after = atoms_text(list(itertools.takewhile(lambda a: a.kind != "link", following)))
            named, _ = strip_lead(after)
            parts.title = named if named and not is_generic(named) else label
    parts.title = parts.title.strip(_EDGE) or label or link.href
    parts.title, rest = split_long(parts.title)
    if rest:
        parts.summary = rest
    parts.tail(line[index + 1 :])
    parts.notes = [note for note in parts.notes if note != parts.title]  # the name, read twice
    for atoms, line_raw in zip(lines[line_no + 1 :], raw_lines[line_no + 1 :], strict=True):
        parts.add_line(atoms, line_raw)
    return parts


def _leads(atom: Atom) -> bool:
    """An atom that can begin the name: not a mark before it ("🌟 **Title**", "🔥 Title")."""
    if atom.kind == "text":
        return bool(atom.text.strip()) and not is_symbolic(atom.text)
    return True


def _names(line: list[Atom], lead: Atom) -> bool:
    """A bold lead that names the item, not a label ("**Note:** …", "**Duration**: 3 weeks")."""
    if not lead.text.strip() or lead.text.rstrip().endswith(":"):
        return False
    after = atoms_text(line[line.index(lead) + 1 :])
    return not after.startswith(":")


def _prose(before: list[Atom], link: Atom) -> bool:
    """More than a dozen words of running text before the link, after any bold lead."""
    atoms = list(before)
    lead = next((a for a in atoms if a.text.strip()), None)
    if lead is not None and lead.kind == "strong":
        atoms = atoms[atoms.index(lead) + 1 :]
    text = atoms_text(atoms)
    stripped, _ = strip_lead(text)
    return len(stripped.split()) > 12


def quoted_excerpt(raw: str) -> str:
    """`_"…"_` or `"…"` as written in a nested item, without the quoting."""
    text = raw.strip()
    match = re.fullmatch(r"([_*]{1,2})\s*[\"“](.*)[\"”]\s*\1", text, re.S)
    if match:
        return match.group(2).strip()
    match = re.fullmatch(r"[\"“](.*)[\"”]", text, re.S)
    return match.group(1).strip() if match else text
