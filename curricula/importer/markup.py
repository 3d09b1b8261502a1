"""Tables and HTML blocks of a section: the rows and cells that give entries, the text around
them, and the links they hold (a mixin of curricula.importer.parser._Parser)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from markdown_it.token import Token

from curricula.importer import rules
from curricula.importer.blocks import (
    Block,
    Html,
    Other,
    cell_html,
)
from curricula.importer.htmlparse import Cell, Link, read_cell, read_html
from curricula.importer.inline import (
    is_http,
)
from curricula.importer.model import (
    SkippedLink,
)
from curricula.importer.shapes import (
    links_in,
)
from curricula.importer.tables import expand, read_row

if TYPE_CHECKING:
    from curricula.importer.items import _State

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
COMMENTED_URL = re.compile(r"https?://[^\s<>\[\]()\"'`]+")


class MarkupReader:
    """Tables and HTML, read with the parser's own state."""

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

    def _html(self, block: Html, state: _State, saved: list[_State]) -> None:
        """Events in document order, so a chunk that closes one <details> and opens the next
        ends the first group before the second begins."""
        line = block.line + 1
        if "<!--" in block.content:
            # What the author commented out is not shown: not a note, and its links are
            # reported as skipped rather than lost.
            visible = _COMMENT.sub("", block.content)
            for hidden in _COMMENT.findall(block.content):
                for match in COMMENTED_URL.finditer(hidden):
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
