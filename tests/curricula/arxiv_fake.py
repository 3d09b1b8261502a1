"""A fake arXiv API with real papers' metadata: id_list and search_query (ti:, abs:, all:, AND)
answered in the API's Atom format, with the failures arXiv has on a bad day on request.

Used by the verdict tests and by bench/verify.py."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?{query}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: {query}</title>
  <id>http://arxiv.org/api/fake</id>
  <updated>2025-11-30T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{per_page}</opensearch:itemsPerPage>
"""


@dataclass
class Record:
    arxiv_id: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    published: str = "2020-01-01"
    version: int = 1
    comment: str = ""
    journal_ref: str = ""
    doi: str = ""
    category: str = "cs.LG"

    def atom(self) -> str:
        extra = ""
        if self.comment:
            extra += f'    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(self.comment)}</arxiv:comment>\n'
        if self.journal_ref:
            extra += f'    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(self.journal_ref)}</arxiv:journal_ref>\n'
        if self.doi:
            extra += f'    <arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(self.doi)}</arxiv:doi>\n'
        authors = "".join(
            f"    <author>\n      <name>{escape(a)}</name>\n    </author>\n" for a in self.authors
        )
        vid = f"{self.arxiv_id}v{self.version}"
        return (
            "  <entry>\n"
            f"    <id>http://arxiv.org/abs/{vid}</id>\n"
            f"    <updated>{self.published}T17:00:00Z</updated>\n"
            f"    <published>{self.published}T17:00:00Z</published>\n"
            f"    <title>{escape(self.title)}</title>\n"
            f"    <summary>  {escape(self.abstract)}\n</summary>\n"
            f"{authors}{extra}"
            f'    <link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>\n'
            f'    <link title="pdf" href="http://arxiv.org/pdf/{vid}" rel="related" '
            'type="application/pdf"/>\n'
            f'    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" '
            f'term="{self.category}" scheme="http://arxiv.org/schemas/atom"/>\n'
            f'    <category term="{self.category}" scheme="http://arxiv.org/schemas/atom"/>\n'
            "  </entry>\n"
        )


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


class AtomArxiv:
    """Callable for pytest-httpserver's respond_with_handler."""

    def __init__(self, records: list[Record]) -> None:
        self.records = {r.arxiv_id: r for r in records}
        self.arrivals: list[float] = []  # time.monotonic() of every request
        self.requests: list[dict[str, list[str]]] = []
        self.empty_first = 0  # answer this many queries of any kind with a valid empty feed
        self.empty_ids: set[str] = set()  # leave these out of id_list answers (a partial feed)
        self.fail_first: list[int] = []  # statuses to answer first
        self.slow_first = 0.0  # seconds to stall the first answer (a timeout)

    def feed(self, query: str, records: list[Record]) -> str:
        head = HEAD.format(query=escape(query), total=len(records), per_page=len(records))
        return head + "".join(r.atom() for r in records) + "</feed>\n"

    def search(self, query: str) -> list[Record]:
        terms = []
        any_term = " OR " in query
        for part in re.split(r"\s+(?:AND|OR)\s+", query):
            if ":" in part:
                fld, word = part.split(":", 1)
                terms.append((fld.strip(), word.strip().lower()))
        hits = []
        for record in self.records.values():
            texts = {
                "ti": set(_words(record.title)),
                "abs": set(_words(record.abstract)),
                "au": set(_words(" ".join(record.authors))),
            }
            texts["all"] = texts["ti"] | texts["abs"] | texts["au"]
            matched = sum(
                any(w == word or (len(word) > 3 and w.startswith(word)) for w in texts.get(f, ()))
                for f, word in terms
            )
            if terms and (matched == len(terms) or (any_term and matched)):
                hits.append((matched, record))
        # Relevance, roughly as arXiv ranks it: more of the words first.
        hits.sort(key=lambda pair: -pair[0])
        return [record for _, record in hits[:10]]

    def __call__(self, request: Request) -> Response:
        self.arrivals.append(time.monotonic())
        params = parse_qs(request.query_string.decode())
        self.requests.append(params)
        query = request.query_string.decode()
        if self.fail_first:
            return Response("Rate exceeded.", status=self.fail_first.pop(0))
        if self.slow_first:
            stall, self.slow_first = self.slow_first, 0.0
            time.sleep(stall)
        if self.empty_first:
            self.empty_first -= 1
            return Response(self.feed(query, []), content_type="application/atom+xml")
        if "id_list" in params:
            asked = params["id_list"][0].split(",")
            found = [
                self.records[i] for i in reversed(asked) if i in self.records
            ]  # the API does not keep the order asked for
            found = [r for r in found if r.arxiv_id not in self.empty_ids]
            return Response(self.feed(query, found), content_type="application/atom+xml")
        hits = self.search(params.get("search_query", [""])[0])
        return Response(self.feed(query, hits), content_type="application/atom+xml")
