"""Checks on rendered HTML: what is a real element, and is it inert."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tags(HTMLParser):
    """Every real element and attribute in rendered HTML (escaped text is not an element)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def assert_inert(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag not in {"script", "iframe", "object", "embed", "style"}
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for key in ("href", "src"):
            if key in attrs:
                value = attrs[key].strip().lower()
                scheme = value.split(":", 1)[0] if ":" in value.split("/", 1)[0] else ""
                assert scheme in {"", "http", "https", "mailto"}, attrs
