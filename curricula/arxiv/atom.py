"""Parse arXiv API Atom feeds: namespace-aware, with a parser that refuses entity expansion."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

_ID_IN_URL = re.compile(r"/abs/(?P<id>.+?)(?:v(?P<version>\d+))?$")
_BAD_ID = re.compile(r"incorrect id format for (?P<id>\S+)", re.IGNORECASE)


class FeedError(ValueError):
    """The body is not an Atom feed we can read."""


@dataclass
class Paper:
    arxiv_id: str
    version: int | None
    title: str
    authors: list[str] = field(default_factory=list)
    abstract: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    primary_category: str = ""
    categories: list[str] = field(default_factory=list)
    doi: str = ""
    journal_ref: str = ""
    comment: str = ""
    pdf_url: str = ""


@dataclass
class Feed:
    papers: dict[str, Paper]  # by arXiv id without version: the API does not keep order
    total_results: int | None
    error: str = ""  # the message of an error feed
    bad_id: str = ""  # the id an error feed complains about, when it names one


def _text(node, tag: str) -> str:
    found = node.find(tag)
    return " ".join((found.text or "").split()) if found is not None else ""


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def split_id(url_or_id: str) -> tuple[str, int | None]:
    """'https://arxiv.org/abs/2112.11446v2' → ('2112.11446', 2); old-style ids keep their slash."""
    match = _ID_IN_URL.search(url_or_id)
    if not match:
        bare = re.match(r"^(?P<id>.+?)(?:v(?P<version>\d+))?$", url_or_id.strip())
        assert bare is not None
        match = bare
    version = int(match["version"]) if match["version"] else None
    return match["id"], version


def parse_feed(body: bytes) -> Feed:
    try:
        root = ElementTree.fromstring(body, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise FeedError(f"not a readable Atom feed: {exc}") from None
    if root.tag != f"{ATOM}feed":
        raise FeedError(f"not an Atom feed (root element {root.tag!r})")
    total_text = _text(root, f"{OPENSEARCH}totalResults")
    total = int(total_text) if total_text.isdigit() else None
    feed = Feed(papers={}, total_results=total)
    for entry in root.findall(f"{ATOM}entry"):
        entry_id = _text(entry, f"{ATOM}id")
        if "/api/errors" in entry_id:
            feed.error = _text(entry, f"{ATOM}summary") or _text(entry, f"{ATOM}title") or "error"
            bad = _BAD_ID.search(feed.error)
            feed.bad_id = bad["id"] if bad else ""
            continue
        arxiv_id, version = split_id(entry_id)
        primary = entry.find(f"{ARXIV}primary_category")
        pdf_url = ""
        for link in entry.findall(f"{ATOM}link"):
            if link.get("title") == "pdf" or link.get("type") == "application/pdf":
                pdf_url = link.get("href", "")
        feed.papers[arxiv_id] = Paper(
            arxiv_id=arxiv_id,
            version=version,
            title=_text(entry, f"{ATOM}title"),
            authors=[_text(a, f"{ATOM}name") for a in entry.findall(f"{ATOM}author")],
            abstract=_text(entry, f"{ATOM}summary"),
            published=_date(_text(entry, f"{ATOM}published")),
            updated=_date(_text(entry, f"{ATOM}updated")),
            primary_category=primary.get("term", "") if primary is not None else "",
            categories=[c.get("term", "") for c in entry.findall(f"{ATOM}category")],
            doi=_text(entry, f"{ARXIV}doi"),
            journal_ref=_text(entry, f"{ARXIV}journal_ref"),
            comment=_text(entry, f"{ARXIV}comment"),
            pdf_url=pdf_url,
        )
    return feed
