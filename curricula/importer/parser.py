"""One general reader for Markdown reading lists: headings, bold lines and lists of links."""

from __future__ import annotations

import re
from dataclasses import replace

from curricula.importer import rules
from curricula.importer.blocks import (
    Block,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Section,
    build_sections,
    parse_blocks,
    section_blocks,
)
from curricula.importer.inline import (
    Atom,
    EntryParts,
    atom_lines,
    atoms_text,
    is_http,
    quoted_excerpt,
)
from curricula.importer.items import SectionReader, _State
from curricula.importer.markup import COMMENTED_URL, MarkupReader
from curricula.importer.model import (
    LinkPlacement,
    ParsedCurriculum,
    ParsedTier,
    ParsedTopic,
    SkippedLink,
)
from curricula.importer.shapes import (
    links_in,
    note_prompts,
    quote_text,
)
from curricula.importer.titles import is_generic, is_symbolic

_FRONT_MATTER = re.compile(r"\ufeff?---[ \t]*\n(?P<yaml>(?:.*\n)*?)(?:---|\.\.\.)[ \t]*(?:\n|$)")
_YAML_LINE = re.compile(r"^(?:[\w.-]+\s*:(?:\s|$)|[ \t]+\S|-\s)")
_OPTIONAL_MARK = re.compile(r"\s*[(\[]optional[)\]]\s*$", re.I)


class ParseError(ValueError):
    """The text cannot be read as a reading list; the message says why."""


def parse_markdown(text: str) -> ParsedCurriculum:
    """Read a Markdown reading list into a ParsedCurriculum, or raise ParseError."""
    return _Parser(text).run()


class _Parser(SectionReader, MarkupReader):
    def __init__(self, text: str):
        self.text = text
        self.lines = text.split("\n")
        self.out = ParsedCurriculum()
        self.tiers: dict[int, ParsedTier] = {}
        self.description: list[str] = []
        self.guidance: list[str] = []
        self.grid = False  # tiers marked inside topics: Elicit's topic × tier grid
        self.warned_sparkle = False
        self.anchors: set[str] = set()  # the headings' GitHub anchors ("#stanford-cs229")

    # --- the document -----------------------------------------------------------------------
    def run(self) -> ParsedCurriculum:
        out = self.out
        self._refuse_dangerous()
        legend = rules.LEGEND.search(self.text)
        if legend:
            out.added_after = rules.parse_legend_date(legend["date"])
            if out.added_after is None:
                out.warnings.append(f"the ✨ legend's date {legend['date']!r} is not a date")
        front = self._front_matter()
        root = build_sections(parse_blocks(self.text), len(self.lines))
        self.anchors = {_slug(s.title) for s in root.walk() if s.heading is not None}
        top = root.children
        titles = [s for s in top if s.level == 1 and not self._special(s.title)]
        state = _State()
        if len(titles) == 1 and top and top[0] is titles[0]:
            out.title = titles[0].title
            self._heading_links(titles[0], state)
            self._blocks(root.blocks + titles[0].blocks, state)
            top = titles[0].children + top[1:]
        else:
            self._blocks(root.blocks, state)
        for section in top:
            self._walk(section, state)

        if front and not out.title:
            out.title = front
        out.tiers = sorted(self.tiers.values(), key=lambda t: (t.line, t.number))
        out.description = "\n\n".join(self.description)
        out.guidance = "\n\n".join(self.guidance)
        rules.infer(out, grid=self.grid)
        if not any(is_http(p.url) for p in out.placed):
            raise ParseError(
                "no links found: a reading list needs at least one http(s) link "
                "(written as [title](https://…))"
            )
        if not out.entries:
            raise ParseError(
                "no entries found: put each reading in a list item or on a bold line, "
                "followed by its link"
            )
        return out

    def _front_matter(self) -> str:
        """YAML front matter (Jekyll, Hugo) is the page's settings, not its text: blanked, so
        line numbers stay; its links are reported; its title is the list's if no heading is."""
        match = _FRONT_MATTER.match(self.text)
        if match is None or not all(
            _YAML_LINE.match(line) for line in match.group("yaml").splitlines() if line.strip()
        ):
            return ""  # a rule above the text, not settings
        end = self.text.count("\n", 0, match.end())
        for number, line in enumerate(self.lines[:end]):
            for url in COMMENTED_URL.findall(line):
                self.out.skipped.append(SkippedLink(url, number + 1, "in the front matter"))
        self.lines[:end] = [""] * end
        self.text = "\n".join(self.lines)
        title = re.search(r"^title\s*:\s*(.+?)\s*$", match.group("yaml"), re.M)
        return title.group(1).strip("\"'") if title else ""

    def _special(self, title: str) -> bool:
        return bool(
            rules.TIER.match(title) or rules.GUIDANCE.match(title) or rules.TOC.match(title)
        )

    def _refuse_dangerous(self) -> None:
        for match in rules.DANGEROUS.finditer(self.text):
            line = self.text.count("\n", 0, match.start()) + 1
            snippet = self.text[match.start("url") :].split(")")[0].split()[0][:60]
            self.out.refused.append(SkippedLink(snippet, line, "dangerous link scheme refused"))

    def _walk(self, section: Section, state: _State) -> None:
        title = section.title
        if rules.TOC.match(title):
            links = links_in([section.heading] if section.heading else [])
            links += links_in(section.blocks)
            if not any(is_http(url) for url, _ in links):
                for url, line in links:
                    self.out.skipped.append(SkippedLink(url, line, "table of contents"))
                # "## Contents" over the "### …" sections it lists: they are the topics.
                for child in section.children:
                    self._walk(child, state)
                return
            # "Content" that carries readings is a section like any other.
        if rules.GUIDANCE.match(title):
            self._guidance(section)
            return
        if self._heading_entry(section, state):
            return
        tier_match = rules.TIER.match(title)
        if tier_match:
            tier = self._tier(tier_match, section.line, state.optional)
            if state.topic is not None:
                self.grid = True
                state = replace(state, tier=tier, group="", role="")
            else:
                state = replace(state, tier=tier, tier_heading=True, group="", role="")
        elif state.topic is None and self._is_part(section):
            state = replace(state, part=" / ".join(p for p in (state.part, title) if p))
        elif state.topic is None:
            state = replace(state, topic=self._topic(section, state), group="", role="")
        else:
            state = replace(state, group=title, role=rules.role_of(title))
        self._heading_links(section, state)
        self._blocks(section.blocks, state)
        for child in section.children:
            self._walk(child, state)

    def _heading_entry(self, section: Section, state: _State) -> bool:
        """ "### [Paper](https://…)" with only prose under it is a reading, not a topic: a
        list of papers as headings, each followed by its summary."""
        link = _heading_reading(section)
        if link is None:
            return False
        parts = EntryParts(title=" ".join(link.text.split()), url=link.href)
        excerpts = []
        for block in section.blocks:
            if isinstance(block, Paragraph):
                raws = block.source.split("\n")
                atom_rows = atom_lines(block.children)
                if len(raws) != len(atom_rows):
                    raws = [atoms_text(row) for row in atom_rows]
                for row, raw in zip(atom_rows, raws, strict=True):
                    parts.add_line(row, raw)
            else:
                excerpts.append(quoted_excerpt(quote_text(block)))
                self._place_many(links_in(block.blocks), "excerpt")
        self._entry(parts, state, section.line, excerpt="\n\n".join(excerpts))
        return True

    def _heading_links(self, section: Section, state: _State) -> None:
        """A link in a heading is kept next to what the heading became (its text is the name)."""
        if section.heading is None:
            return
        urls = [url for url, _ in links_in([section.heading]) if is_http(url)]
        if urls:
            # "Link: <…>", so the note reads back as a note and not as an entry.
            self._note("Link: " + " ".join(f"<{url}>" for url in urls), [section.heading], state)

    def _is_part(self, section: Section) -> bool:
        """A heading above topics: no readings of its own, sub-headings that are not groups."""
        if not section.children or any(isinstance(b, ListBlock) for b in section.blocks):
            return False
        if any(is_http(url) for url, _ in links_in(section.blocks)) or any(
            rules.TIER.match(c.title) for c in section.children
        ):
            return False
        if all(_heading_reading(c) for c in section.children):
            return False  # "## Transformers" over "### [Paper](…)" readings: their topic
        return not all(rules.is_group_label(c.title) for c in section.children)

    def _topic(self, section: Section, state: _State) -> int:
        title = section.title
        number = None
        numbered = rules.TOPIC_NUMBER.match(title)
        if numbered:
            number, title = int(numbered["number"]), numbered["title"].strip()
        topic = ParsedTopic(
            title=title,
            number=number,
            part=state.part,
            tier=state.tier.number if state.tier and state.tier_heading else None,
            line=section.line + 1,
        )
        self.out.topics.append(topic)
        return len(self.out.topics) - 1

    def _tier(self, match: re.Match[str], line: int, optional: bool) -> ParsedTier:
        number = int(match["number"])
        label = " ".join(match["label"].split())
        tier = self.tiers.get(number)
        if tier is None:
            tier = ParsedTier(number=number, label=label, line=line + 1)
            self.tiers[number] = tier
        title = (match["title"] or "").strip()
        marked = _OPTIONAL_MARK.search(title)
        if marked:  # "Tier 5 — Extras (optional)"
            title, optional = title[: marked.start()].strip(), True
        if title and not tier.title:
            tier.title = title
        if match["plus"] and "+" not in tier.label:
            tier.label = label
        tier.optional = tier.optional or optional
        return tier

    # --- text that is not an entry ------------------------------------------------------------
    def _note(
        self,
        text: str,
        blocks: list[Block],
        state: _State,
        links: list[tuple[str, int]] | None = None,
    ) -> None:
        text = text.strip()
        found = links_in(blocks) + list(links or [])
        if not text and not found:
            return
        parenthesised = text.startswith("(") and text.endswith(")")
        if state.topic is not None and not (parenthesised and state.tier):
            topic = self.out.topics[state.topic]
            topic.description = "\n\n".join(filter(None, [topic.description, text]))
            place = "topic_description"
        elif state.tier is not None:
            state.tier.note = "\n\n".join(filter(None, [state.tier.note, text]))
            place = "tier_note"
        else:
            if text:
                self.description.append(text)
            place = "description"
        self._place_many(found, place)

    def _guidance(self, section: Section) -> None:
        lines = self.lines[section.line : section.end]
        drop: set[int] = set()
        for heading in (b for b in section_blocks(section) if isinstance(b, Heading)):
            level = max(2, heading.level - section.level + 2)
            offset = heading.line - section.line
            if lines[offset].lstrip().startswith("#"):
                lines[offset] = "#" * level + " " + lines[offset].lstrip().lstrip("#").strip()
            else:  # a setext heading: its underline goes
                lines[offset] = "#" * level + " " + heading.text
                drop.add(offset + 1)
        lines = [line for n, line in enumerate(lines) if n not in drop]
        while lines and (not lines[-1].strip() or re.fullmatch(r"\s*([-*_]\s*){3,}", lines[-1])):
            lines.pop()
        text = "\n".join(lines).strip()
        self.guidance.append(text)
        self._place_many(links_in(section_blocks(section)), "guidance")
        self._note_template(section)

    def _note_template(self, section: Section) -> None:
        if self.out.note_template or not re.match(r"how\s+to", section.title, re.I):
            return
        for block in section_blocks(section):
            prompts = note_prompts(block) if isinstance(block, ListBlock) else []
            if prompts:
                self.out.note_template = "\n\n".join(f"### {p}\n" for p in prompts)
                return

    # --- links --------------------------------------------------------------------------------
    def _place_many(self, links: list[tuple[str, int]], place: str) -> None:
        for url, line in links:
            if is_http(url) and rules.IMAGE.search(url):
                self.out.skipped.append(SkippedLink(url, line, "image or badge"))
            elif is_http(url):
                self.out.placed.append(LinkPlacement(url, line, place))
            elif url.lower().startswith(rules.DANGEROUS_SCHEMES):
                continue  # already refused from the raw text
            else:
                self.out.skipped.append(
                    SkippedLink(url, line, f"not an http(s) link (kept in {place})")
                )

    # --- what the document implies -------------------------------------------------------------


def _heading_reading(section: Section) -> Atom | None:
    """The link of a heading that is one link with only prose under it, or None."""
    heading = section.heading
    if heading is None or heading.inline is None or section.children:
        return None
    atoms = [a for line in atom_lines(heading.inline.children or []) for a in line]
    links = [a for a in atoms if a.kind == "link"]
    if len(links) != 1 or not is_http(links[0].href) or rules.IMAGE.search(links[0].href):
        return None
    if any(a.kind not in ("link", "html") and not is_symbolic(a.text) for a in atoms):
        return None  # "## Papers from [this list](…)": a heading that mentions a link
    if any(not isinstance(b, Paragraph | Quote) for b in section.blocks):
        return None  # a list or a table under it: its readings, so it is their topic
    return None if is_generic(links[0].text) else links[0]


def _slug(title: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
