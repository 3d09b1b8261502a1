"""Search over entries, paper metadata, my notes and the notes my teammates shared with me.

On PostgreSQL: ranked full text over stored search vectors (notes/migrations/0006), so
ranking the top 50 of a thousand matches reads stored vectors instead of recomputing them;
when the words match nothing, trigram similarity (pg_trgm) finds titles spelt differently
("chinchila"). On SQLite: plain matches, and close spellings from the titles' words (difflib).
An arXiv id or arXiv URL finds its paper on both.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, FloatField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.expressions import RawSQL
from django.utils.html import strip_tags

from curricula.canonical import InvalidURL, canonicalize
from curricula.models import Entry
from notes.access import readable_notes_q
from notes.models import Note, Progress, Status

LIMIT = 50
QUERY = "websearch_to_tsquery('english'::regconfig, %s)"
# Trigram matching on titles: how alike a query and a title's closest words must be.
TYPO_SIMILARITY = 0.5
# SQLite's spelling fallback reads at most this many titles (an embedded install is small).
TYPO_TITLES = 20_000

_ARXIV = re.compile(
    r"^\s*(?:arxiv:\s*)?(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?\s*$",
    re.IGNORECASE,
)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def arxiv_id_in(q: str) -> str:
    """The arXiv id a query names ("2001.08361", "arXiv:2001.08361v2", an arxiv.org link), in
    the form resources store it; "" when it names none."""
    text = q.strip()
    match = _ARXIV.match(text)
    url = f"https://arxiv.org/abs/{match['id']}" if match else text
    if not match and "arxiv.org/" not in text.lower():
        return ""
    try:
        return canonicalize(url).arxiv_id
    except InvalidURL:
        return ""


@dataclass
class Results:
    entries: list[Entry] = field(default_factory=list)
    # "arxiv" when the query was an arXiv id; "similar" when only close spellings matched.
    how: str = ""
    mine: list[Note] = field(default_factory=list)
    shared: list[Note] = field(default_factory=list)


def _entries_base(user: Any) -> QuerySet[Entry]:
    # Only what a result shows: whole rows (a paper's forty columns, its JSON decoded) cost
    # more to load than the search took.
    # My status on each (by its paper, or by the entry itself for a plain link: a progress
    # row has exactly one of them) comes in the same query, through the partial unique
    # indexes on (user, paper) and (user, entry): a second query for 50 statuses cost more
    # than the 50 index lookups.
    by_paper = Progress.objects.filter(user=user, resource_id=OuterRef("resource_id"))
    by_entry = Progress.objects.filter(user=user, entry_id=OuterRef("pk"))
    status = Case(
        When(resource__isnull=False, then=Subquery(by_paper.values("status")[:1])),
        default=Subquery(by_entry.values("status")[:1]),
    )
    return (
        Entry.objects.active()
        .annotate(my_status=status)
        .select_related("curriculum", "resource")
        .only(
            *("title", "alias", "curriculum", "resource", "curriculum__slug"),
            *("curriculum__title", "resource__arxiv_id", "resource__title"),
        )
    )


def entries(user: Any, q: str) -> tuple[list[Entry], str]:
    """Matching entries, best first, and how they matched ("", "arxiv" or "similar")."""
    arxiv_id = arxiv_id_in(q)
    if arxiv_id:
        found = list(
            _entries_base(user)
            .filter(resource__arxiv_id=arxiv_id)
            .order_by("curriculum__title", "position")[:LIMIT]
        )
        if found:
            return found, "arxiv"
    found = list(_ranked(user, q) if _is_postgres() else _plain(user, q.split()))
    if found:
        return found, ""
    similar = _similar_pg(user, q) if _is_postgres() else _similar_sqlite(user, q)
    return list(similar), "similar" if similar else ""


def _ranked(user: Any, q: str) -> QuerySet[Entry]:
    # The top 50 are chosen inside the database by ts_rank on the entry's stored vector alone
    # (its own words weigh A, its paper's title B), as the best 50 of two LIMITed branches:
    # entries whose own vector matches (its GIN index), and entries whose paper's metadata,
    # abstract included, matches (the papers' ids from their GIN index, computed once as an
    # array, then entry.resource_id's index: a join there hashed every entry for a common
    # word, 7-11 ms against 3). Each branch ranks only its own matches and keeps 50; the best
    # 50 of both 100 are the best 50 of all. A UNION of ids first (then ranking) hash-joined
    # every entry and de-duplicated thousands of ids before the LIMIT (26 ms for "attention
    # scaling" against 12 ms); one OR would scan every entry for a rare word. The SQL is
    # constants only; the words travel as parameters.
    branch = (
        "SELECT e.id, ts_rank(e.search_doc, q) AS r, c.title AS t, e.position AS p "  # noqa: S608
        "FROM curricula_entry e JOIN curricula_curriculum c ON c.id = e.curriculum_id, "
        f"{QUERY} AS q WHERE e.retired_in_id IS NULL AND {{match}} "
        f"ORDER BY r DESC, t, p LIMIT {LIMIT}"
    )
    own = branch.format(match="e.search_doc @@ q")
    paper = branch.format(
        match="e.resource_id = ANY(ARRAY("  # noqa: S608
        f"SELECT id FROM curricula_resource WHERE search_doc @@ {QUERY}))"
    )
    top = RawSQL(  # noqa: S611
        f"SELECT id FROM (({own}) UNION ({paper})) m "  # noqa: S608
        f"ORDER BY r DESC, t, p LIMIT {LIMIT}",
        [q, q, q],
    )
    rank = RawSQL(  # noqa: S611
        f'ts_rank("curricula_entry"."search_doc", {QUERY})', [q], output_field=FloatField()
    )
    return (
        _entries_base(user)
        .filter(id__in=top)
        .annotate(rank=rank)
        .order_by("-rank", "curriculum__title", "position")
    )


def _plain(user: Any, words: list[str]) -> QuerySet[Entry]:
    match = Q()
    for word in words[:8]:
        match &= (
            Q(title__icontains=word)
            | Q(alias__icontains=word)
            | Q(why__icontains=word)
            | Q(resource__title__icontains=word)
            | Q(resource__authors__icontains=word)
            | Q(resource__abstract__icontains=word)
        )
    return _entries_base(user).filter(match).order_by("curriculum__title", "position")[:LIMIT]


def _similar_pg(user: Any, q: str) -> list[Entry]:
    """Titles (and aliases) with words close to the query's, by pg_trgm's word similarity,
    through its trigram indexes."""
    text = q[:100]
    entry_text = (
        "(coalesce(curricula_entry.title, '') || ' ' || coalesce(curricula_entry.alias, ''))"
    )
    resource_text = "coalesce(curricula_resource.title, '')"
    matching = RawSQL(  # noqa: S611
        f"SELECT id FROM curricula_entry WHERE %s <%% {entry_text} "  # noqa: S608
        "UNION SELECT id FROM curricula_entry WHERE resource_id IN "
        f"(SELECT id FROM curricula_resource WHERE %s <%% {resource_text})",
        [text, text],
    )
    score = RawSQL(  # noqa: S611
        f"greatest(word_similarity(%s, {entry_text}), "
        f"coalesce(word_similarity(%s, {resource_text}), 0))",
        [text, text],
        output_field=FloatField(),
    )
    with connection.cursor() as cursor:
        # The operator's threshold for this transaction only (pg_trgm's default is 0.6).
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(TYPO_SIMILARITY)],
        )
        return list(
            _entries_base(user)
            .filter(id__in=matching)
            .annotate(score=score)
            .order_by("-score", "curriculum__title", "position")[:LIMIT]
        )


def _similar_sqlite(user: Any, q: str) -> list[Entry]:
    """Each query word replaced by the closest word of the titles, then a plain match."""
    vocabulary: set[str] = set()
    titles = Entry.objects.active().values_list("title", "alias", "resource__title")[:TYPO_TITLES]
    for row in titles:
        for text in row:
            vocabulary.update(w.lower() for w in re.findall(r"\w{3,}", text or ""))
    words = []
    for word in q.split()[:8]:
        close = difflib.get_close_matches(word.lower(), vocabulary, n=1, cutoff=0.75)
        if not close:
            return []
        words.append(close[0])
    return list(_plain(user, words))


def notes(user: Any, q: str) -> tuple[list[Note], list[Note]]:
    """My notes, and the notes my teammates shared with me (never anyone's private ones)."""
    # What the results show (Note.title, the writer, the snippet's body), and no more: with
    # seven joins PostgreSQL spent ~20 ms planning this query, longer than running it.
    base = (
        Note.objects.filter(readable_notes_q(user))
        .exclude(body="")
        .select_related("user", "entry", "resource", "tier", "topic")
        .only(
            *("user_id", "kind", "body", "visibility", "updated_at"),
            *("entry", "resource", "tier", "topic", "user__username"),
            *("user__first_name", "user__last_name", "entry__title"),
            *("resource__title", "resource__url", "tier__label", "tier__title", "topic__title"),
        )
    )
    if _is_postgres():
        rank = RawSQL(  # noqa: S611
            f'ts_rank("notes_note"."search_doc", {QUERY})', [q], output_field=FloatField()
        )
        # The match is a condition on the note itself, not "id IN (a subquery of notes)":
        # that extra relation next to five joins cost PostgreSQL 5-25 ms of planning per
        # search, rare word or common (against 1.6 ms), more than running the query.
        matching = RawSQL(  # noqa: S611
            f'"notes_note"."search_doc" @@ {QUERY}', [q], output_field=BooleanField()
        )
        found = list(
            base.filter(matching).annotate(rank=rank).order_by("-rank", "-updated_at")[: 2 * LIMIT]
        )
    else:
        match = Q()
        for word in q.split()[:8]:
            match &= Q(body__icontains=word)
        found = list(base.filter(match).order_by("-updated_at")[: 2 * LIMIT])
    mine = [n for n in found if n.user_id == user.pk][:LIMIT]
    shared = [n for n in found if n.user_id != user.pk][:LIMIT]
    return mine, shared


def search(user: Any, q: str) -> Results:
    """Everything the search page shows, with my status on each entry found."""
    found, how = entries(user, q)
    _with_status_labels(found)
    mine, shared = notes(user, q)
    for note in [*mine, *shared]:
        note.snippet = snippet(note.body, q)  # type: ignore[attr-defined]
    return Results(found, how, mine, shared)


def _with_status_labels(found: list[Entry]) -> None:
    """Each entry's `my_status` (read with it; "to read" when I have none) and its label."""
    labels = dict(Status.choices)
    for e in found:
        e.my_status = e.my_status or Status.TO_READ  # type: ignore[attr-defined]
        e.my_status_label = labels[e.my_status]  # type: ignore[attr-defined]


_MARKUP = [
    (re.compile(r"```.*?```", re.S), " "),  # fenced code
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"^\s{0,3}(?:#{1,6}|>+|[-*+]|\d+[.)])\s+", re.M), ""),  # headings, quotes, lists
    (re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # emphasis, code spans
    (re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$", re.M), " "),  # rules
]


def plain_text(markdown: str) -> str:
    """A note's words without their Markdown (and without any HTML in it), for a snippet."""
    text = markdown
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    text = html.unescape(strip_tags(text))
    return " ".join(text.split())


def snippet(markdown: str, q: str, width: int = 160) -> str:
    """Plain text around the first word of the query found in it (the start if none is)."""
    text = plain_text(markdown)
    if len(text) <= width:
        return text
    lowered = text.lower()
    hits = [lowered.find(w.lower()) for w in q.split() if len(w) > 2]
    at = min((h for h in hits if h >= 0), default=0)
    start = max(0, at - width // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    piece = text[start : start + width]
    cut = piece.rfind(" ") if start + width < len(text) else len(piece)
    piece = piece[: cut if cut > width // 2 else len(piece)]
    return ("… " if start else "") + piece + (" …" if start + len(piece) < len(text) else "")
