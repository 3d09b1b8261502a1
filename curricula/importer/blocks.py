"""markdown-it-py tokens folded into a small block tree and a tree of heading sections."""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass
class Block:
    line: int  # 0-based first source line
    end: int  # 0-based line after the block


@dataclass
class Heading(Block):
    level: int = 1
    inline: Token | None = None

    @property
    def text(self) -> str:
        return plain_text(self.inline.children or []) if self.inline else ""


@dataclass
class Paragraph(Block):
    inline: Token | None = None

    @property
    def children(self) -> list[Token]:
        return (self.inline.children or []) if self.inline else []

    @property
    def source(self) -> str:
        return self.inline.content if self.inline else ""


@dataclass
class ListItem(Block):
    blocks: list[Block] = field(default_factory=list)


@dataclass
class ListBlock(Block):
    ordered: bool = False
    items: list[ListItem] = field(default_factory=list)


@dataclass
class Quote(Block):
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Html(Block):
    content: str = ""


@dataclass
class Rule(Block):
    pass


@dataclass
class Other(Block):
    """Code blocks, tables and anything else kept verbatim."""

    content: str = ""
    inlines: list[Token] = field(default_factory=list)
    rows: list[tuple[int, list[Token]]] = field(default_factory=list)  # a table's body rows
    header: list[Token] = field(default_factory=list)  # a table's header cells


@dataclass
class Section:
    heading: Heading | None
    level: int
    line: int
    end: int = 0
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.heading.text if self.heading else ""

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


_MD = MarkdownIt("commonmark").enable("table")
# Links are kept as written (the canonicaliser decides what is the same resource); skipping
# markdown-it's percent-encoding pass also makes a 10,000-entry list parse a third faster.
_MD.normalizeLink = str.strip  # type: ignore[method-assign]


def parse_blocks(text: str) -> list[Block]:
    tokens = _MD.parse(text)
    blocks, _ = _fold(tokens, 0, None, text.count("\n") + 1)
    return blocks


def _span(token: Token, fallback: int) -> tuple[int, int]:
    if token.map:
        return token.map[0], token.map[1]
    return fallback, fallback


def _fold(tokens: list[Token], i: int, close: str | None, nlines: int) -> tuple[list[Block], int]:
    """Fold tokens from i up to the matching `close` token type into blocks."""
    blocks: list[Block] = []
    while i < len(tokens):
        token = tokens[i]
        if close and token.type == close:
            return blocks, i + 1
        start, end = _span(token, blocks[-1].end if blocks else 0)
        if token.type == "heading_open":
            blocks.append(Heading(start, end, level=int(token.tag[1]), inline=tokens[i + 1]))
            i += 3
        elif token.type == "paragraph_open":
            blocks.append(Paragraph(start, end, inline=tokens[i + 1]))
            i += 3
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lst = ListBlock(start, end, ordered=token.type == "ordered_list_open")
            i += 1
            closing = token.type.replace("_open", "_close")
            while tokens[i].type != closing:
                item_start, item_end = _span(tokens[i], start)
                inner, i = _fold(tokens, i + 1, "list_item_close", nlines)
                lst.items.append(ListItem(item_start, item_end, blocks=inner))
            blocks.append(lst)
            i += 1
        elif token.type == "blockquote_open":
            inner, i = _fold(tokens, i + 1, "blockquote_close", nlines)
            blocks.append(Quote(start, end, blocks=inner))
        elif token.type == "html_block":
            blocks.append(Html(start, end, content=token.content))
            i += 1
        elif token.type == "hr":
            blocks.append(Rule(start, end))
            i += 1
        elif token.type in ("fence", "code_block"):
            blocks.append(Other(start, end, content=token.content))
            i += 1
        elif token.type == "table_open":
            inlines: list[Token] = []
            rows: list[tuple[int, list[Token]]] = []
            header: list[Token] = []
            in_body = False
            i += 1
            while tokens[i].type != "table_close":
                kind = tokens[i].type
                if kind == "tbody_open":
                    in_body = True
                elif kind == "tr_open" and in_body:
                    rows.append(((tokens[i].map or [start])[0], []))
                elif kind == "inline":
                    inlines.append(tokens[i])
                    if in_body and rows:
                        rows[-1][1].append(tokens[i])
                    elif not in_body:
                        header.append(tokens[i])
                i += 1
            blocks.append(Other(start, end, inlines=inlines, rows=rows, header=header))
            i += 1
        else:
            i += 1
    return blocks, i


def build_sections(blocks: list[Block], nlines: int) -> Section:
    """Nest blocks under their headings: a heading's section runs to the next heading as high."""
    root = Section(heading=None, level=0, line=0, end=nlines)
    stack = [root]
    for block in blocks:
        if isinstance(block, Heading):
            while stack[-1].level >= block.level:
                stack.pop().end = block.line
            section = Section(heading=block, level=block.level, line=block.line)
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].blocks.append(block)
    for section in stack[1:]:
        section.end = nlines
    return root


def cell_html(token: Token) -> str:
    """An inline token (a table cell) rendered to HTML, for the HTML reader."""
    return _MD.renderer.renderInline(token.children or [], _MD.options, {})


def plain_text(children: list[Token]) -> str:
    """The visible text of inline tokens, without markup."""
    out = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            out.append(child.content if child.type != "html_inline" else "")
        elif child.type == "image":
            out.append(plain_text(child.children or []))
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return " ".join("".join(out).split())


def inline_links(children: list[Token]) -> list[tuple[str, str]]:
    """(href, label) of every link and image in inline tokens, in order."""
    found = []
    for n, child in enumerate(children):
        if child.type == "link_open":
            label_tokens = []
            for follower in children[n + 1 :]:
                if follower.type == "link_close":
                    break
                label_tokens.append(follower)
            found.append((str(child.attrs.get("href", "")), plain_text(label_tokens)))
        elif child.type == "image":
            found.append((str(child.attrs.get("src", "")), plain_text(child.children or [])))
    return found


def iter_inlines(blocks: list[Block]):
    """Every inline token inside blocks, headings included, depth first."""
    for block in blocks:
        if isinstance(block, Heading | Paragraph) and block.inline is not None:
            yield block.inline
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from iter_inlines(item.blocks)
        elif isinstance(block, Quote):
            yield from iter_inlines(block.blocks)
        elif isinstance(block, Other):
            yield from block.inlines


def section_blocks(section: Section) -> list[Block]:
    """A section's own blocks, its heading and all its descendants' blocks, in order."""
    out: list[Block] = [section.heading] if section.heading else []
    out.extend(section.blocks)
    for child in section.children:
        out.extend(section_blocks(child))
    return out
