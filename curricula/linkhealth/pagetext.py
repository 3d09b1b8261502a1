"""What a fetched page says about itself: its title and a short description (the meta
description, og:/twitter:description, else the first real paragraph of its main content).

The title check has only these for a web page; the description plays the part an abstract plays
for a paper ("These InstructGPT models…" on a page titled "Aligning language models…")."""

from __future__ import annotations

import logging
import re
from html import unescape
from html.parser import HTMLParser

log = logging.getLogger(__name__)
DESCRIPTION_MAX_CHARS = 1000
# Past the head, how much of the body is read looking for a first paragraph when the head has
# no description: a page's opening text is near its top, and the checker stays cheap.
BODY_READ_BYTES = 64 * 1024
# A paragraph shorter than this is a byline, a date or a cookie line, not a description.
_PARAGRAPH_MIN_CHARS = 80
_PARAGRAPH_MIN_WORDS = 10
# Meta names in order of preference; a page often repeats one text under all three.
_META_NAMES = ("description", "og:description", "twitter:description")
# Page furniture: text inside these is never the page's description.
_SKIP = {
    "script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside",
    "form", "button", "select", "figure", "figcaption", "dialog",
}  # fmt: skip
# Tags that end an open <p> the way browsers do when the page forgot its </p>.
_CLOSES_P = {
    "p", "div", "section", "article", "main", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5",
    "h6", "blockquote", "pre", "hr", "form", "nav", "header", "footer", "aside",
}  # fmt: skip
_META_DESCRIPTION = re.compile(
    rb"<meta\b[^>]*\b(?:name|property)\s*=\s*[\"']?(?:og:|twitter:)?description\b"
)


class _PageReader(HTMLParser):
    """One pass over the page: <title>, og:title and the description metas from the head; the
    first substantial paragraph inside <main>/<article> (or, on a page without either, in the
    body outside navigation, headers, footers and asides)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.og_title = ""
        self.metas: dict[str, str] = {}
        self.main_paragraph = ""
        self.body_paragraph = ""
        self.has_main = False
        self._in_title = False
        self._in_body = False
        self._skip: list[str] = []
        self._main_depth = 0
        self._paragraph: list[str] | None = None
        self._paragraph_in_main = False

    def handle_starttag(self, tag, attrs):
        if tag == "title" and not self.title and not self._in_body:
            self._in_title = True
        elif tag == "meta" and not self._in_body:
            values = dict(attrs)
            key = (values.get("property") or values.get("name") or "").lower().strip()
            content = " ".join((values.get("content") or "").split())
            if key == "og:title":
                self.og_title = content
            elif key in _META_NAMES and content and key not in self.metas:
                self.metas[key] = content
        elif tag == "body":
            self._in_body = True
            self._in_title = False
        if tag in _CLOSES_P:
            self._end_paragraph()
        if tag in _SKIP:
            self._skip.append(tag)
        elif tag in ("main", "article"):
            self._main_depth += 1
            self.has_main = True
        if tag == "p" and not self._skip:
            self._paragraph = []
            self._paragraph_in_main = self._main_depth > 0

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self._in_body = True
            self._in_title = False
        if tag == "p" or tag in _CLOSES_P:
            self._end_paragraph()
        if tag in _SKIP and tag in self._skip:
            # Close up to the matching tag: a page that forgets to close a <nav> loses its nav.
            while self._skip and self._skip.pop() != tag:
                pass
        elif tag in ("main", "article") and self._main_depth:
            self._main_depth -= 1

    def handle_data(self, data):
        if self._in_title and not self._in_body:
            self.title += data
        elif self._paragraph is not None and not self._skip:
            self._paragraph.append(data)

    def _end_paragraph(self) -> None:
        if self._paragraph is None:
            return
        text = " ".join("".join(self._paragraph).split())
        self._paragraph = None
        if len(text) < _PARAGRAPH_MIN_CHARS or len(text.split()) < _PARAGRAPH_MIN_WORDS:
            return
        if self._paragraph_in_main and not self.main_paragraph:
            self.main_paragraph = text
        elif not self._paragraph_in_main and not self.body_paragraph:
            self.body_paragraph = text

    def close(self) -> None:
        super().close()
        self._end_paragraph()  # a page cut off mid-paragraph still has said that much


def _clean(value: str) -> str:
    """Text as the database can store it (PostgreSQL refuses NUL), whitespace collapsed."""
    return " ".join(unescape(value).replace("\x00", "").split())


def _bounded(text: str, limit: int = DESCRIPTION_MAX_CHARS) -> str:
    """At most `limit` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def read_page(html_text: str) -> tuple[str, str]:
    """(title, description) of a page: og:title else <title>; the meta description, else
    og:description, else twitter:description, else the first substantial paragraph of the
    main content. Either is "" when the page does not say; a broken page never raises."""
    parser = _PageReader()
    try:
        parser.feed(html_text)
        parser.close()
    except Exception:  # html.parser is tolerant; what it still chokes on keeps what was read
        log.debug("page text unreadable past some point", exc_info=True)
    title = _clean(parser.og_title or parser.title)[:500]
    description = next((parser.metas[k] for k in _META_NAMES if parser.metas.get(k)), "")
    description = description or parser.main_paragraph
    if not description and not parser.has_main:
        description = parser.body_paragraph
    return title, _bounded(_clean(description))


# A title piece that only says the page is missing ("404", "Page Not Found", "Error 404 - File
# not found", "This page doesn't exist"); a title about such errors says more than that.
_NOT_FOUND = re.compile(
    r"(?:oops )?(?:error )?(?:404 )?(?:error )?"
    r"(?:(?:sorry )?(?:the |this |that )?(?:page|file|document|resource|article|post|url)"
    r"(?: you (?:were |are )?(?:looking for|requested))? )?"
    r"(?:(?:was |is )?not found|(?:could|can) ?not be found|(?:can't|couldn't) be found"
    r"|does ?n['o]?t exist|no longer exists|(?:is )?no longer available)"
    r"(?: 404)?(?: error)?|(?:error )?404(?: error)?",
)
_TITLE_PIECES = re.compile(r"\s+[|–—·-]\s+|:\s+|\s*\|\s*|\s*[()\[\]]\s*")
_TITLE_TAG = re.compile(r"<title\b[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def says_not_found(html_text: str) -> bool:
    """Does the page's <title> or og:title only say that the page is not there (a "soft 404"
    served with 200)?"""
    found = _TITLE_TAG.search(html_text[:20000])
    titles = [read_page(html_text)[0], unescape(found.group(1)) if found else ""]
    for title in titles:
        pieces = [
            " ".join(re.sub(r"[^\w\s']", " ", piece.replace("’", "'")).split())
            for piece in _TITLE_PIECES.split(title.lower())
        ]
        pieces = [p for p in pieces if p]
        missing = [p for p in pieces if _NOT_FOUND.fullmatch(p)]
        # The rest may name the site ("| OpenAI"), not a work ("Not Found: Finding Lost …").
        if missing and all(len(p.split()) <= 4 for p in pieces if p not in missing):
            return True
    return False


def page_title(html_text: str) -> str:
    """The page's og:title, else its <title>, whitespace collapsed."""
    return read_page(html_text)[0]


def read_enough(body: bytes) -> bool:
    """May the fetch stop here? Once the head is in and names a description; without one, once
    the main content has closed or BODY_READ_BYTES of the body are in."""
    lowered = body.lower()
    head_end = lowered.find(b"</head>")
    if head_end < 0:
        return False
    if _META_DESCRIPTION.search(lowered, 0, head_end):
        return True
    rest = lowered[head_end:]
    return b"</main>" in rest or b"</article>" in rest or len(rest) > BODY_READ_BYTES
