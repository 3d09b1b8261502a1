"""@mentions in comments: which teammates a comment names, and the comment as safe HTML with
those names highlighted. Both read the same Markdown tokens, so "@bob" inside `code` or a
link's address neither mails Bob nor lights up."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.safestring import SafeString
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from notes import markdown as notes_markdown

# Django's usernames are letters, digits and . + - _ (and @, which a mention cannot hold). Not
# after a word character or @, so "me@alice.org" mentions nobody.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")
_TRAILING = ".+-"


class Person:
    """What a mention shows: the username as written and, on hover, the full name."""

    __slots__ = ("name", "pk", "username")

    def __init__(self, pk: int, username: str, name: str) -> None:
        self.pk, self.username, self.name = pk, username, name


def _match(word: str, people: Mapping[str, Person]) -> tuple[Person | None, str]:
    """The teammate `word` names (case-insensitive), trying it without trailing punctuation
    ("@alice." at a sentence's end), and the part of `word` that is the name."""
    candidate = word
    while candidate:
        person = people.get(candidate.lower())
        if person is not None:
            return person, candidate
        if candidate[-1] not in _TRAILING:
            break
        candidate = candidate[:-1]
    return None, ""


def _texts(tokens: list[Token]) -> Iterator[tuple[list[Token], int]]:
    """(children, index) of every plain text token: not code, not an autolink's address."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        for i, child in enumerate(token.children):
            if child.type == "text":
                yield token.children, i


def _mention_rule(state: Any) -> None:
    people: Mapping[str, Person] = state.env.get("people") or {}
    found: dict[int, Person] = state.env.setdefault("found", {})
    for children, i in reversed(list(_texts(state.tokens))):
        text = children[i].content
        parts: list[Token] = []
        last = 0
        for m in MENTION.finditer(text):
            person, name = _match(m.group(1), people)
            if person is None:
                continue
            found[person.pk] = person
            if m.start() > last:
                parts.append(_text(text[last : m.start()]))
            html = Token("html_inline", "", 0)
            title, shown = escapeHtml(person.name), escapeHtml(name)
            html.content = f'<span class="mention" title="{title}">@{shown}</span>'
            parts.append(html)
            last = m.start() + 1 + len(name)
        if parts:
            if last < len(text):
                parts.append(_text(text[last:]))
            children[i : i + 1] = parts


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("strikethrough")
    .disable("image")
)
_md.core.ruler.push("mentions", _mention_rule)

ALLOWED_TAGS = (notes_markdown.ALLOWED_TAGS - {"img", "h1", "h2", "h3"}) | {"span"}
ALLOWED_ATTRIBUTES = {**notes_markdown.ALLOWED_ATTRIBUTES, "span": {"class", "title"}}


def _only_mention_spans(element: str, attribute: str, value: str) -> str | None:
    # Raw HTML is off, so only the rule above makes spans; still, a span's class is "mention".
    if element == "span" and attribute == "class" and value != "mention":
        return None
    return value


def render(text: str, people: Mapping[str, Person]) -> SafeString:
    """A comment as safe HTML: Markdown without images (a comment is a line or two, and an
    image would be a tracking pixel), with the mentions of `people` (lower-cased username →
    Person) highlighted. Whatever the text holds, the result runs no script."""
    html = _md.render(text or "", {"people": people})
    return notes_markdown.sanitize(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=_only_mention_spans
    )


def mentioned(text: str, people: Mapping[str, Person]) -> list[Person]:
    """The people of `people` the text mentions, by username."""
    env: dict[str, Any] = {"people": people}
    _md.parse(text or "", env)
    return sorted(env.get("found", {}).values(), key=lambda p: p.username)
