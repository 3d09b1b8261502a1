"""What a block is: a bold-only line, a quoted excerpt, a nested reading, note prompts, links."""

from __future__ import annotations

import re

from markdown_it.token import Token

from curricula.canonical import canonicalize
from curricula.importer import rules
from curricula.importer.blocks import (
    Block,
    Html,
    ListBlock,
    ListItem,
    Other,
    Paragraph,
    Quote,
    inline_links,
    iter_inlines,
    plain_text,
)
from curricula.importer.htmlparse import html_links
from curricula.importer.inline import atom_lines, atoms_text, is_http, read_entry

_HTTP_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(?:[/?#][^\s]*)?$", re.I)
_BARE = re.compile(r"https?://[^\s<>\[\]()\"'`]+")


def links_in(blocks: list[Block]) -> list[tuple[str, int]]:
    """Every link target in blocks, with its line: links, images, bare URLs, HTML href/src."""
    found: list[tuple[str, int]] = []
    for inline in iter_inlines(blocks):
        line = (inline.map[0] + 1) if inline.map else 0
        for href, _label in inline_links(inline.children or []):
            found.append((href, line))
        for child in inline.children or []:
            if child.type == "image":  # a URL written inside an image's alt text
                found.extend(
                    (m.group(0).rstrip(".,;:!?"), line) for m in _BARE.finditer(child.content)
                )
            if child.type == "text":
                found.extend(
                    (m.group(0).rstrip(".,;:!?"), line) for m in _BARE.finditer(child.content)
                )
            elif child.type == "html_inline":
                found.extend((link.href, line) for link in html_links(child.content))
    for block in flatten(blocks):
        if isinstance(block, Html):
            found.extend((link.href, block.line + 1) for link in html_links(block.content))
        elif isinstance(block, Other) and block.content:
            found.extend((m.group(0), block.line + 1) for m in _BARE.finditer(block.content))
    return found


def check_url(url: str) -> None:
    """What canonicalize() refuses, without building the canonical form (extra links)."""
    if not _HTTP_URL.match(url):
        canonicalize(url)  # raises InvalidURL with the reason


def strong_only(block: Paragraph) -> str:
    """The text of a paragraph that is nothing but one bold (or heading-like) span."""
    children = [c for c in block.children if not (c.type == "text" and not c.content.strip())]
    if (
        len(children) >= 3
        and children[0].type == "strong_open"
        and children[-1].type == "strong_close"
    ):
        inner = children[1:-1]
        if not any(c.type in ("strong_open", "link_open", "softbreak", "hardbreak") for c in inner):
            return plain_text(inner).rstrip(":").strip()
    return ""


def quote_text(block: Quote) -> str:
    texts = []
    for inner in block.blocks:
        if isinstance(inner, Paragraph):
            texts.append(inner.source)
    return "\n\n".join(texts)


def is_sub_entry(item: ListItem) -> bool:
    """A nested item that is a reading of its own (leads with a link), not a quoted excerpt."""
    if not item.blocks or not isinstance(item.blocks[0], Paragraph):
        return False
    source = item.blocks[0].source.lstrip()
    if source[:2] in ('_"', '*"', "_“", "*“") or source[:1] in ('"', "“", ">"):
        return False
    parts = read_entry(item.blocks[0].children, item.blocks[0].source, list_item=False)
    return parts is not None and bool(parts.url)


def labelled_link(item: ListItem) -> tuple[str, str] | None:
    """A nested item that is one labelled link, "地址：https://…" or "Code: [repo](…)" (badges
    may follow it): (label, URL), or None."""
    if len(item.blocks) != 1 or not isinstance(item.blocks[0], Paragraph):
        return None
    first, *rest = atom_lines(item.blocks[0].children)
    links = [a for a in first if a.kind == "link"]
    if len(links) != 1 or not is_http(links[0].href) or rules.IMAGE.search(links[0].href):
        return None
    at = first.index(links[0])
    lead = atoms_text(first[:at])
    label = lead.rstrip(":： ").strip()
    if not lead.endswith((":", "：")) or not label or len(label) > 30 or len(label.split()) > 4:
        return None
    if atoms_text(first[at + 1 :]).strip(" .,;"):
        return None
    for line in rest:
        if atoms_text(line) or any(not rules.IMAGE.search(a.href) for a in line):
            return None
    return label, links[0].href


def note_prompts(block: ListBlock) -> list[str]:
    """Items of a list nested under an item that says to write something (the note template)."""
    for item in block.items:
        head = item.blocks[0] if item.blocks and isinstance(item.blocks[0], Paragraph) else None
        for inner in item.blocks:
            if isinstance(inner, ListBlock):
                if head is not None and rules.NOTE_PROMPT.search(head.source):
                    prompts = [
                        plain_text(b.blocks[0].children)
                        for b in inner.items
                        if b.blocks and isinstance(b.blocks[0], Paragraph)
                    ]
                    if prompts:
                        return prompts
                deeper = note_prompts(inner)
                if deeper:
                    return deeper
    return []


def flatten(blocks: list[Block]):
    for block in blocks:
        yield block
        if isinstance(block, ListBlock):
            for item in block.items:
                yield from flatten(item.blocks)
        elif isinstance(block, Quote):
            yield from flatten(block.blocks)


def row_has_link(cells: list[Token]) -> bool:
    return any(
        c.type == "link_open" and is_http(str(c.attrs.get("href", "")))
        for cell in cells
        for c in cell.children or []
    )
