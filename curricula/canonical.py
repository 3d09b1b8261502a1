"""One URL canonicaliser, so the same paper spelled two ways is one Resource."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus, urlsplit, urlunsplit

_TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "yclid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "ref_src",
    "ref_url",
    "si",
    "spm",
    "trk",
}
_DEFAULT_PORTS = {"http": 80, "https": 443}

# New-style ids (2405.09673, 0704.0001) and old-style ids (hep-th/9901001, math.GT/0309136).
_ARXIV_ID = r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?"
_ARXIV_PATH = re.compile(
    rf"^/(?:abs|pdf|html|format|ps)/(?:arxiv:)?{_ARXIV_ID}(?:\.pdf)?/?$", re.IGNORECASE
)
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org", "browse.arxiv.org"}
# alphaXiv shows an arXiv paper with discussion beside it: the curator chose that page, so the
# link stays on alphaXiv, but the paper is the arXiv paper (its metadata, its title check).
_ALPHAXIV_HOSTS = {"alphaxiv.org", "www.alphaxiv.org"}
_ALPHAXIV_PATH = re.compile(
    rf"^/(?P<kind>abs|overview|pdf)/{_ARXIV_ID}(?:\.pdf)?/?$", re.IGNORECASE
)
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtu.be"}
_SPACE = re.compile(r"\s")
# "example.org/path": a dotted host name and no scheme.
_SCHEMELESS = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?::\d+)?(?:[/?#]|$)"
)
_DOI_PATH = re.compile(r"^/(10\.\d{4,9}/\S+)$")


@dataclass(frozen=True)
class CanonicalURL:
    url: str
    arxiv_id: str = ""
    arxiv_version: int | None = None
    doi: str = ""


class InvalidURL(ValueError):
    """The text is not an absolute http(s) URL."""


def arxiv_abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def canonicalize(raw: str) -> CanonicalURL:
    """Return the canonical form of an http(s) URL, with any arXiv id and DOI it carries."""
    text = (raw or "").strip()
    if text.startswith("//") or _SCHEMELESS.match(text):
        # "arxiv.org/pdf/2405.09673v1" as people write it in prose: assume https.
        text = "https:" + text if text.startswith("//") else "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"not a valid URL: {text!r} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InvalidURL(f"not an http(s) URL: {text!r}")
    if _SPACE.search(text):
        raise InvalidURL(f"a URL cannot contain spaces: {text!r}")
    host = parts.hostname.lower().rstrip(".")

    if host in _ARXIV_HOSTS:
        match = _ARXIV_PATH.match(parts.path)
        if match:
            arxiv_id = _normalise_arxiv_id(match["id"])
            version = int(match["version"]) if match["version"] else None
            return CanonicalURL(arxiv_abs_url(arxiv_id), arxiv_id=arxiv_id, arxiv_version=version)

    if host in _ALPHAXIV_HOSTS:
        match = _ALPHAXIV_PATH.match(parts.path)
        if match:
            arxiv_id = _normalise_arxiv_id(match["id"])
            version = int(match["version"]) if match["version"] else None
            url = f"https://www.alphaxiv.org/{match['kind'].lower()}/{arxiv_id}"
            return CanonicalURL(url, arxiv_id=arxiv_id, arxiv_version=version)

    if host in _YOUTUBE_HOSTS:
        video = _youtube_id(host, parts.path, parts.query)
        if video:
            return CanonicalURL(f"https://www.youtube.com/watch?v={video}")

    netloc = f"[{host}]" if ":" in host else host  # IPv6 literals keep their brackets
    # Credentials in a reading-list link are a mistake: never kept.
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    # Parameters are kept exactly as written (order, encoding, "?flag" without "="): only the
    # tracking ones go, so a site's own URL is never rewritten into something it does not serve.
    query = "&".join(
        piece
        for piece in parts.query.split("&")
        if piece and not _is_tracking(unquote_plus(piece.partition("=")[0]))
    )
    path = parts.path or "/"
    doi = ""
    if host in ("doi.org", "dx.doi.org"):
        doi_match = _DOI_PATH.match(path)
        if doi_match:
            doi = doi_match[1]
            netloc, scheme = "doi.org", "https"
    return CanonicalURL(urlunsplit((scheme, netloc, path, query, "")), doi=doi)


def _normalise_arxiv_id(arxiv_id: str) -> str:
    """Old-style ids: archive lower-case, subject class upper-case (math.GT/0309136)."""
    if "/" not in arxiv_id:
        return arxiv_id
    archive, number = arxiv_id.split("/", 1)
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key.startswith("utm_") or key in _TRACKING_PARAMS


def _youtube_id(host: str, path: str, query: str) -> str:
    if host.endswith("youtu.be"):
        return path.strip("/").split("/")[0]
    if path == "/watch":
        return dict(parse_qsl(query)).get("v", "")
    for prefix in ("/embed/", "/shorts/", "/live/", "/v/"):
        if path.startswith(prefix):
            return path[len(prefix) :].split("/")[0]
    return ""


_KIND_HOSTS = {
    "youtube.com": "video",
    "youtu.be": "video",
    "vimeo.com": "video",
    "github.com": "repo",
    "gitlab.com": "repo",
    "twitter.com": "thread",
    "x.com": "thread",
    "openreview.net": "paper",
    "papers.nips.cc": "paper",
    "proceedings.neurips.cc": "paper",
    "aclanthology.org": "paper",
    "semanticscholar.org": "paper",
    "nature.com": "paper",
    "doi.org": "paper",
    "proceedings.mlr.press": "paper",
    "readthedocs.io": "docs",
    "pytorch.org": "docs",
    "coursera.org": "course",
}


def guess_kind(canonical: CanonicalURL) -> str:
    """A first guess at a resource's kind from its URL; admins can correct it."""
    if canonical.arxiv_id or canonical.doi:
        return "paper"
    parts = urlsplit(canonical.url)
    host = parts.hostname or ""
    path = parts.path.lower()
    for suffix, kind in _KIND_HOSTS.items():
        if host == suffix or host.endswith("." + suffix):
            if kind == "docs" and host.endswith("pytorch.org") and "/docs" not in path:
                continue
            return kind
    if "/docs/" in path or host.startswith("docs."):
        return "docs"
    if "/learn/" in path or "/class/" in path or "course" in path:
        return "course"
    if path.endswith(".pdf"):
        return "paper"
    if "/blog" in path or "/posts/" in path or host.startswith("blog.") or "medium.com" in host:
        return "blog"
    return "other"
