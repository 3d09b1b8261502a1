"""What the blocks of a section hold: list items and the entries they give, tables and HTML
(curricula.importer.parser reads the document around them)."""

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
    Html,
    ListBlock,
    ListItem,
    Other,
    Paragraph,
    Quote,
    iter_inlines,
    plain_text,
)
from curricula.importer.inline import (
    EntryParts,
    atom_lines,
    atoms_text,
    is_http,
    quoted_excerpt,
    read_entry,
)
from curricula.importer.markup import _merge_html
from curricula.importer.model import (
    LinkPlacement,
    ParsedEntry,
    ParsedTier,
    SkippedLink,
)
from curricula.importer.shapes import (
    check_url,
    is_sub_entry,
    labelled_link,
    links_in,
    quote_text,
    strong_only,
)
from curricula.importer.titles import reads_like_title, tidy_title

_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]+\](?!:)")
_EMPTY_BRACKETS = re.compile(r"\s*(?:\[\s*\]|\(\s*\))")


@dataclass
class _State:
    tier: ParsedTier | None = None
    tier_heading: bool = False  # the tier came from a heading, so topics below belong to it
    part: str = ""
    topic: int | None = None
    group: str = ""
    role: str = ""
    optional: bool = False  # inside <details>


class SectionReader:
    """The parser's reading of a section's blocks (curricula.importer.parser._Parser mixes
    it in): its state is the parser's own."""

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

    def _marker(self, text: str, state: _State, line: int) -> None:
        tier_match = rules.TIER.match(text)
        if tier_match:
            state.tier = self._tier(tier_match, line, state.optional)
            state.group, state.role = "", ""
            if state.topic is not None:
                self.grid = True
        else:
            state.group, state.role = text, rules.role_of(text)

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
