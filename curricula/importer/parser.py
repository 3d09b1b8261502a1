"""One general reader for Markdown reading lists: headings, bold lines and lists of links."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace
from urllib.parse import unquote

from markdown_it.token import Token

from curricula.canonical import InvalidURL, canonicalize
from curricula.importer import rules
from curricula.importer.blocks import (
    Block,
    Heading,
    Html,
    ListBlock,
    ListItem,
    Other,
    Paragraph,
    Quote,
    Section,
    build_sections,
    cell_html,
    iter_inlines,
    parse_blocks,
    plain_text,
    section_blocks,
)
from curricula.importer.htmlparse import Cell, Link, read_cell, read_html
from curricula.importer.inline import (
    Atom,
    EntryParts,
    atom_lines,
    atoms_text,
    is_http,
    quoted_excerpt,
    read_entry,
)
from curricula.importer.model import (
    LinkPlacement,
    ParsedCurriculum,
    ParsedEntry,
    ParsedTier,
    ParsedTopic,
    SkippedLink,
)
from curricula.importer.shapes import (
    check_url,
    is_sub_entry,
    labelled_link,
    links_in,
    note_prompts,
    quote_text,
    strong_only,
)
from curricula.importer.tables import expand, read_row
from curricula.importer.titles import is_generic, is_symbolic, reads_like_title, tidy_title

_FRONT_MATTER = re.compile(r"\ufeff?---[ \t]*\n(?P<yaml>(?:.*\n)*?)(?:---|\.\.\.)[ \t]*(?:\n|$)")
_YAML_LINE = re.compile(r"^(?:[\w.-]+\s*:(?:\s|$)|[ \t]+\S|-\s)")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_COMMENTED_URL = re.compile(r"https?://[^\s<>\[\]()\"'`]+")
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]+\](?!:)")
_EMPTY_BRACKETS = re.compile(r"\s*(?:\[\s*\]|\(\s*\))")
_OPTIONAL_MARK = re.compile(r"\s*[(\[]optional[)\]]\s*$", re.I)


class ParseError(ValueError):
    """The text cannot be read as a reading list; the message says why."""


@dataclass
class _State:
    tier: ParsedTier | None = None
    tier_heading: bool = False  # the tier came from a heading, so topics below belong to it
    part: str = ""
    topic: int | None = None
    group: str = ""
    role: str = ""
    optional: bool = False  # inside <details>


def parse_markdown(text: str) -> ParsedCurriculum:
    """Read a Markdown reading list into a ParsedCurriculum, or raise ParseError."""
    return _Parser(text).run()


class _Parser:
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
            for url in _COMMENTED_URL.findall(line):
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

    # --- blocks inside a section --------------------------------------------------------------
    def _blocks(self, blocks: list[Block], state: _State) -> None:
        state = replace(state)  # bold markers and <details> last until the section ends
        saved: list[_State] = []
        last: ParsedEntry | None = None
        toc = False  # after a bold "Table of Contents" line
        for block in _merge_html(blocks):
            if isinstance(block, Paragraph):
                marker = strong_only(block)
                if _badges_only(block.children):
                    for url, line in links_in([block]):
                        self.out.skipped.append(SkippedLink(url, line, "image or badge"))
                elif marker and rules.TOC.match(marker):
                    toc = True
                elif marker:
                    self._marker(marker, state, block.line)
                    last = None
                elif rules.LEGEND.search(block.source):
                    self._place_many(links_in([block]), "guidance")
                    self.guidance.append(block.source)
                elif last is not None and block.source.lower().startswith("why"):
                    parts = EntryParts(title="")
                    parts.add_line([], block.source)
                    last.why = " ".join([last.why, parts.why]).strip()
                else:
                    parts = read_entry(block.children, block.source, list_item=False)
                    if parts is not None:
                        last = self._entry(parts, state, block.line)
                    else:
                        self._note(block.source, [block], state)
                        last = None
            elif isinstance(block, ListBlock) and (toc or _is_toc(block, self.anchors)):
                for url, line in links_in([block]):
                    self.out.skipped.append(SkippedLink(url, line, "table of contents"))
                toc = False
            elif isinstance(block, ListBlock):
                for item in block.items:
                    last = self._item(item, state) or last
            elif isinstance(block, Quote):
                self._note(quote_text(block), block.blocks, state)
            elif isinstance(block, Html):
                self._html(block, state, saved)
                last = None
            elif isinstance(block, Other) and self._table(block, state):
                last = None
            elif isinstance(block, Other):
                source = "\n".join(self.lines[block.line : block.end]).strip()
                self._note(source, [block], state)

    def _table(self, block: Other, state: _State) -> bool:
        """A Markdown table whose rows carry links: one entry per row (see tables.read_row)."""
        if not block.rows or not any(_has_link(cells) for _, cells in block.rows):
            return False
        header = [read_cell(cell_html(t)).clean for t in block.header]
        rows = [[read_cell(cell_html(t)) for t in cells] for _, cells in block.rows]
        mark = (len(self.out.placed), len(self.out.skipped))
        self._rows(header, rows, state, block.line + 1, [line for line, _ in block.rows])
        self._account(links_in([block]), mark, "excerpt")
        return True

    def _account(self, links: list[tuple[str, int]], mark: tuple[int, int], place: str) -> None:
        """Links of a block that its reading did not place (a URL typed in a cell's text, in
        an image's alt text) are kept where the block's text went, never dropped."""
        seen = Counter(p.url for p in self.out.placed[mark[0] :])
        seen.update(s.url for s in self.out.skipped[mark[1] :])
        rest = []
        for url, line in links:
            if seen[url] > 0:
                seen[url] -= 1
            elif url.lower().startswith(("http://", "https://")):
                rest.append((url, line))
        self._place_many(rest, place)

    def _rows(
        self,
        header: list[str],
        rows: list[list[Cell]],
        state: _State,
        line: int,
        lines: list[int] | None = None,
    ) -> None:
        if not any(link for row in rows for cell in row for link in cell.links):
            text = "\n".join(" | ".join(c.clean for c in row) for row in rows)
            self._note(text, [], state)
            return
        for n, cells in enumerate(rows):
            row_line = (lines[n] if lines and n < len(lines) else line - 1) + 1
            result = read_row(header, cells)
            for url, reason in result.skipped:
                self.out.skipped.append(SkippedLink(url, row_line, reason))
            if result.kind == "group":
                state.group, state.role = result.label, rules.role_of(result.label)
                self._place_many([(url, row_line) for url in result.placed], "group")
            elif result.kind == "note":
                self._note(result.label, [], state)
            elif result.kind == "entry" and result.parts is not None:
                self._entry(result.parts, state, row_line - 1)

    def _marker(self, text: str, state: _State, line: int) -> None:
        tier_match = rules.TIER.match(text)
        if tier_match:
            state.tier = self._tier(tier_match, line, state.optional)
            state.group, state.role = "", ""
            if state.topic is not None:
                self.grid = True
        else:
            state.group, state.role = text, rules.role_of(text)

    def _html(self, block: Html, state: _State, saved: list[_State]) -> None:
        """Events in document order, so a chunk that closes one <details> and opens the next
        ends the first group before the second begins."""
        line = block.line + 1
        if "<!--" in block.content:
            # What the author commented out is not shown: not a note, and its links are
            # reported as skipped rather than lost.
            visible = _COMMENT.sub("", block.content)
            for hidden in _COMMENT.findall(block.content):
                for match in _COMMENTED_URL.finditer(hidden):
                    url = match.group(0).rstrip(".,;:!?")
                    self.out.skipped.append(SkippedLink(url, line, "in an HTML comment"))
            if not visible.strip():
                return
            block = replace(block, content=visible)
        events, links = read_html(block.content)
        if all(event.kind == "text" for event in events):
            self._note(block.content.strip(), [block], state)
            return
        mark = (len(self.out.placed), len(self.out.skipped))
        self._html_events(events, block, state, saved)
        self._account([(link.href, line) for link in links], mark, self._place_of(state))

    def _place_of(self, state: _State) -> str:
        if state.topic is not None:
            return "topic_description"
        return "tier_note" if state.tier is not None else "description"

    def _html_events(self, events, block: Html, state: _State, saved: list[_State]) -> None:
        line = block.line + 1
        for event in events:
            if event.kind == "details_open":
                saved.append(replace(state))
            elif event.kind == "summary":
                label = event.text
                tier_match = rules.TIER.match(label)
                optional = rules.optional_summary(label)
                if label:
                    if tier_match and optional:
                        state.optional = True
                    self._marker(label, state, block.line)
                    if optional:
                        state.optional = True
            elif event.kind == "details_close":
                if saved:
                    previous = saved.pop()
                    for name in ("tier", "group", "role", "optional"):
                        setattr(state, name, getattr(previous, name))
            elif event.kind == "table":
                self._rows(_table_header(event.rows), _table_body(event.rows), state, line)
            elif event.kind == "item" and event.cell is not None:
                self._rows([], [[event.cell]], state, line)  # an <li>: a one-cell row
            elif event.kind == "text" and event.cell is not None:
                self._html_text(event.cell, state, line)

    def _html_text(self, cell: Cell, state: _State, line: int) -> None:
        """Loose HTML next to <details> or a table: its text is a note, its links go with it."""
        kept = []
        for link in cell.links:
            if link.image or not is_http(link.href):
                self.out.skipped.append(SkippedLink(link.href, line, _skip_reason(link)))
            else:
                kept.append((link.href, line))
        self._note(cell.clean, [], state, links=kept)

    def _item(self, item: ListItem, state: _State) -> ParsedEntry | None:
        blocks = item.blocks
        if not blocks or not isinstance(blocks[0], Paragraph):
            self._blocks(blocks, state)
            return None
        first = blocks[0]
        if rules.LEGEND.search(first.source):
            self._place_many(links_in([first]), "guidance")
            self.guidance.append(f"- {first.source}")
            return None
        parts = read_entry(first.children, first.source, list_item=True)
        structural = state.tier is not None or state.topic is not None
        if parts is not None and parts.url and rules.NAVIGATION.match(parts.title):
            self.out.skipped.append(SkippedLink(parts.url, item.line + 1, "navigation"))
            parts.url = ""
            if not parts.extra_links:
                parts = None
        if (
            parts is not None
            and not parts.url
            and not parts.named
            and not reads_like_title(plain_text(_first_line(first.children)))
        ):
            parts = None
        address: ListItem | None = None
        if parts is not None and not parts.url:
            # "* ChatGLM：" over "  * 地址：https://…": the item's link is its first labelled one.
            for sub in (s for b in blocks[1:] if isinstance(b, ListBlock) for s in b.items):
                hit = None if is_sub_entry(sub) else labelled_link(sub)
                if hit is not None:
                    address, parts.url = sub, hit[1]
                    break
        subs = [sub for b in blocks[1:] if isinstance(b, ListBlock) for sub in b.items]
        if parts is not None and not parts.url and any(is_sub_entry(sub) for sub in subs):
            # "1. Foundations" over "   1. [Attention](…)": a label for the readings under it.
            label = tidy_title(parts.title) or parts.title
            inner = replace(state, group=label[:255], role=rules.role_of(label))
            for block in blocks[1:]:
                if isinstance(block, ListBlock):
                    for sub in block.items:
                        self._item(sub, inner)
                else:
                    self._blocks([block], inner)
            return None
        if parts is None or (not parts.url and not structural):
            source = "\n".join(self.lines[item.line : item.end]).strip()
            self._note(source, blocks, state)
            return None
        excerpts: list[str] = []
        nested: list[ListItem] = []
        for block in blocks[1:]:
            if isinstance(block, Paragraph):
                # Read as the first paragraph's own later lines are: its links are kept.
                lines = atom_lines(block.children)
                raws = block.source.split("\n")
                if len(raws) != len(lines):
                    raws = [atoms_text(line) for line in lines]
                for atoms, raw in zip(lines, raws, strict=True):
                    parts.add_line(atoms, raw)
            elif isinstance(block, ListBlock):
                for sub in block.items:
                    labelled = None if is_sub_entry(sub) else labelled_link(sub)
                    if is_sub_entry(sub):
                        nested.append(sub)
                    elif labelled is not None:
                        # "  - Code: [Official](…)": a link of the entry, named by its label
                        if sub is not address:
                            parts.extra_links.append({"label": labelled[0], "url": labelled[1]})
                        rest = [link for link in links_in(sub.blocks) if link[0] != labelled[1]]
                        self._place_many(rest, "excerpt")  # badges after it: skipped as such
                    else:
                        text = "\n\n".join(b.source for b in sub.blocks if isinstance(b, Paragraph))
                        excerpts.append(quoted_excerpt(text))
                        self._place_many(links_in(sub.blocks), "excerpt")
            elif isinstance(block, Quote):
                excerpts.append(quoted_excerpt(quote_text(block)))
                self._place_many(links_in(block.blocks), "excerpt")
        entry = self._entry(parts, state, item.line, excerpt="\n\n".join(excerpts))
        for sub in nested:
            entry = self._item(sub, state) or entry
        return entry

    def _entry(self, parts: EntryParts, state: _State, line: int, excerpt: str = "") -> ParsedEntry:
        excerpt = "\n\n".join(filter(None, [parts.summary, excerpt]))
        url = parts.url
        if url:
            try:
                self.out.canonical[url] = canonicalize(url)
            except InvalidURL as exc:
                self.out.skipped.append(SkippedLink(url, line + 1, f"entry kept without it: {exc}"))
                url = ""
            else:
                self.out.placed.append(LinkPlacement(url, line + 1, "entry"))
        extra_links = []
        seen = {url}
        for link in parts.extra_links:
            if link["url"] in seen:  # "… Available: <the entry's own URL>"
                self.out.skipped.append(SkippedLink(link["url"], line + 1, "repeats a link above"))
                continue
            seen.add(link["url"])
            try:
                check_url(link["url"])
            except InvalidURL as exc:
                self.out.skipped.append(SkippedLink(link["url"], line + 1, str(exc)))
                continue
            extra_links.append(link)
            self.out.placed.append(LinkPlacement(link["url"], line + 1, "extra_link"))
        for href in parts.non_http:
            self.out.skipped.append(SkippedLink(href, line + 1, "not an http(s) link"))
        optional = state.optional or bool(state.tier and state.tier.optional)
        added_on = None
        if parts.sparkle:
            added_on = self.out.added_after
            if added_on is None and not self.warned_sparkle:
                self.warned_sparkle = True
                self.out.warnings.append("✨ marks entries but no legend says since when")
        why = parts.why
        if parts.notes:
            why = " ".join([*parts.notes, why]).strip()
            why = _EMPTY_BRACKETS.sub("", why).strip()  # "[[Paper](…)]": the link went
        why = _FOOTNOTE_MARK.sub("", why).strip()  # "[^1]": the footnote is kept where it is
        entry = ParsedEntry(
            title=(tidy_title(parts.title) or parts.title)[:500],
            url=url,
            alias=parts.alias[:100],
            why=why,
            excerpt=excerpt,
            tags=[t for t in parts.tags if t],
            date_text=parts.date_text[:100],
            extra_links=extra_links,
            group=state.group[:255],
            role=parts.role if parts.role is not None else "optional" if optional else state.role,
            role_given=parts.role is not None,
            added_on=added_on,
            todo=parts.todo,
            tier=state.tier.number if state.tier else None,
            topic=state.topic,
            line=line + 1,
        )
        self.out.entries.append(entry)
        return entry

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


def _merge_html(blocks: list[Block]) -> list[Block]:
    """Adjacent HTML blocks as one: a blank line inside <table> splits it for markdown-it."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Html) and out and isinstance(out[-1], Html):
            previous = out[-1]
            out[-1] = Html(previous.line, block.end, content=previous.content + block.content)
        else:
            out.append(block)
    return out


def _has_link(cells: list[Token]) -> bool:
    return any(
        c.type in ("link_open", "image") or (c.type == "html_inline" and "href" in c.content)
        for cell in cells
        for c in cell.children or []
    )


def _table_header(rows: list[list[Cell]]) -> list[str]:
    if rows and all(c.header for c in rows[0]):
        return [c.clean for c in expand(rows[0])]
    return []


def _table_body(rows: list[list[Cell]]) -> list[list[Cell]]:
    return rows[1:] if rows and all(c.header for c in rows[0]) else rows


def _skip_reason(link: Link) -> str:
    if link.image:
        return "image or badge"
    if link.href.startswith("#"):
        return "anchor in the same page"
    return "not an http(s) link"


def _is_toc(block: ListBlock, anchors: set[str]) -> bool:
    """A list whose every link points inside the document ("#data-quality", "./#week-3", or
    "https://github.com/…/README.md#week-3" when this document has a "Week 3" heading).

    Stops at the first link that leads elsewhere: a long list of readings costs one link."""
    inside = 0
    for inline in iter_inlines([block]):
        for child in inline.children or []:
            if child.type != "link_open":
                continue
            href = str(child.attrs.get("href", ""))
            fragment = unquote(href.partition("#")[2]).lower()
            here = href.startswith(("#", "./#")) or (href.startswith("./") and "#" in href)
            if not (here or (is_http(href) and fragment and fragment in anchors)):
                return False
            inside += 1
    return inside >= 2


def _slug(title: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _badges_only(children: list[Token]) -> bool:
    """A line of badges: every link wraps an image, and there is no other text."""
    links = 0
    inside = False
    for child in children:
        if child.type == "link_open":
            inside, links = True, links + 1
        elif child.type == "link_close":
            inside = False
        elif child.type == "image":
            if not inside:
                links += 1
        elif child.type == "text" and child.content.strip():
            return False
    return links > 0


def _first_line(children: list[Token]) -> list[Token]:
    return list(itertools.takewhile(lambda c: c.type not in ("softbreak", "hardbreak"), children))
