"""HTML inside Markdown read with the standard library's HTML parser: links, details, tables.

html.parser is tolerant the way browsers are (unclosed <td> and <a> in real syllabi, stray
end tags) and needs no dependency; the importer only wants text, links and a few structural
tags, so a full tree builder would buy nothing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BLOCK = {"p", "div", "li", "tr", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"}


@dataclass
class Link:
    href: str
    label: str
    image: bool = False  # an <img>, or a link whose only content is an image (a badge)


@dataclass
class Cell:
    """One table cell (or any run of inline HTML): its text, links, bold and code spans."""

    text: str = ""
    links: list[Link] = field(default_factory=list)
    strong: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    header: bool = False
    span: int = 1

    @property
    def clean(self) -> str:
        return " ".join(self.text.split())


@dataclass
class Event:
    """Structure met in an HTML chunk, in document order."""

    kind: str  # details_open, details_close, summary, table, text, item (an <li>)
    text: str = ""
    rows: list[list[Cell]] = field(default_factory=list)
    cell: Cell | None = None


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Event] = []
        self.links: list[Link] = []
        self._text: list[str] = []  # text outside tables and summaries
        self._loose = Cell()
        self._summary: list[str] | None = None
        self._rows: list[list[Cell]] | None = None
        self._cell: Cell | None = None
        self._cell_text: list[str] = []
        self._anchor: tuple[Link, list[str], bool] | None = None  # link, its text, had image
        self._strong: list[str] | None = None
        self._code: list[str] | None = None
        self._item = False  # inside an <li> outside a table: its text and links are one item

    # --- text sinks ---------------------------------------------------------------------------
    def _sinks(self) -> list[list[str]]:
        sinks = []
        if self._summary is not None:
            sinks.append(self._summary)
        elif self._cell is not None:
            sinks.append(self._cell_text)
        else:
            sinks.append(self._text)
        if self._anchor is not None:
            sinks.append(self._anchor[1])
        if self._strong is not None:
            sinks.append(self._strong)
        if self._code is not None:
            sinks.append(self._code)
        return sinks

    def _target(self) -> Cell:
        return self._cell if self._cell is not None else self._loose

    def _flush_text(self) -> None:
        self._close_anchor()
        text = " ".join("".join(self._text).split())
        if text or self._loose.links:
            self._loose.text = text
            kind = "item" if self._item else "text"
            self.events.append(Event(kind, text=text, cell=self._loose))
        self._text = []
        self._loose = Cell()

    # --- tags ---------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "details":
            self._flush_text()
            self.events.append(Event("details_open"))
        elif tag == "summary":
            self._summary = []
        elif tag in ("li", "ul", "ol") and self._rows is None:
            self._flush_text()  # an unclosed <li> ends at the next one
            self._item = tag == "li"
        elif tag == "table":
            self._flush_text()
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._close_cell()
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._close_cell()
            if not self._rows:
                self._rows.append([])
            try:
                span = max(1, min(20, int(values.get("colspan", "1") or 1)))
            except ValueError:
                span = 1
            self._cell = Cell(header=tag == "th", span=span)
            self._cell_text = []
        elif tag == "a":
            self._close_anchor()
            link = Link(values.get("href", "").strip(), "")
            self._anchor = (link, [], False)
        elif tag == "img":
            src = values.get("src", "").strip()
            alt = values.get("alt", "")
            if self._anchor is not None:
                link, text, _ = self._anchor
                self._anchor = (link, [*text, alt], True)
            if src:
                self._record(Link(src, alt, image=True))
        elif tag in ("b", "strong"):
            self._strong = []
        elif tag == "code":
            self._code = []
        if tag in _BLOCK:
            for sink in self._sinks():
                sink.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("img", "br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self._flush_text()
            self.events.append(Event("details_close"))
        elif tag == "summary" and self._summary is not None:
            text = " ".join("".join(self._summary).split())
            self._summary = None
            self.events.append(Event("summary", text=text))
        elif tag == "a":
            self._close_anchor()
        elif tag in ("li", "ul", "ol") and self._rows is None:
            self._flush_text()
            self._item = False
        elif tag in ("td", "th"):
            self._close_cell()
        elif tag == "table" and self._rows is not None:
            self._close_cell()
            rows = [row for row in self._rows if row]
            self._rows = None
            self.events.append(Event("table", rows=rows))
        elif tag in ("b", "strong") and self._strong is not None:
            text = " ".join("".join(self._strong).split())
            self._strong = None
            if text:
                self._target().strong.append(text)
        elif tag == "code" and self._code is not None:
            text = "".join(self._code).strip()
            self._code = None
            if text:
                self._target().code.append(text)
        if tag in _BLOCK:
            for sink in self._sinks():
                sink.append("\n")

    def handle_data(self, data: str) -> None:
        for sink in self._sinks():
            sink.append(data)

    def _record(self, link: Link) -> None:
        self.links.append(link)
        self._target().links.append(link)

    def _close_anchor(self) -> None:
        if self._anchor is None:
            return
        link, text, had_image = self._anchor
        self._anchor = None
        link.label = " ".join("".join(text).split())
        link.image = had_image and not link.label.strip()
        if had_image and link.label and not "".join(text).strip():
            link.image = True
        if link.href:
            self._record(link)

    def _close_cell(self) -> None:
        self._close_anchor()
        if self._cell is None or self._rows is None:
            self._cell = None
            return
        self._cell.text = "\n".join(
            " ".join(line.split()) for line in "".join(self._cell_text).split("\n")
        ).strip()
        self._rows[-1].append(self._cell)
        self._cell = None
        self._cell_text = []

    def finish(self) -> list[Event]:
        self.close()
        self._close_anchor()
        if self._rows is not None:
            self.handle_endtag("table")
        self._flush_text()
        return self.events


def read_html(fragment: str) -> tuple[list[Event], list[Link]]:
    """The events and every link (<a href>, <img src>) of an HTML fragment, in order."""
    reader = _Reader()
    reader.feed(fragment)
    events = reader.finish()
    return events, reader.links


def html_links(fragment: str) -> list[Link]:
    return read_html(fragment)[1]


def html_text(fragment: str) -> str:
    """Visible text of a fragment (a <summary>, a cell), entities decoded."""
    events, _ = read_html(fragment)
    texts = [e.text for e in events if e.kind in ("text", "summary") and e.text]
    return html.unescape(" ".join(texts))


def read_cell(fragment: str) -> Cell:
    """A run of inline HTML (a Markdown table cell rendered to HTML) as one cell."""
    reader = _Reader()
    reader.feed(fragment)
    reader.close()
    reader._close_anchor()
    cell = reader._loose
    cell.text = "\n".join(
        " ".join(line.split()) for line in "".join(reader._text).split("\n")
    ).strip()
    return cell
