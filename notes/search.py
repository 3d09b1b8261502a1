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
from typing import Any, NamedTuple

from django.db import connection, connections, router
from django.db.models import Case, FloatField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import strip_tags

from curricula.canonical import InvalidURL, canonicalize
from curricula.models import Entry
from notes.access import readable_notes_q
from notes.models import Note, Progress, Status

LIMIT = 50
# A ranking reads at most this many matches of each kind (entries' own words, their papers').
SCORED = 500
# The words as a query (a parameter named q: the SQL below reads it more than once).
_Q = "websearch_to_tsquery('english'::regconfig, %(q)s)"
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


def _cursor() -> Any:
    """A cursor on the database the ORM would read from here (the replica on the search page,
    readlist/replica.py), as the querysets this SQL replaced did."""
    return connections[router.db_for_read(Entry)].cursor()


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


class Hit(NamedTuple):
    """One entry found, as a result shows it: no model instances (50 entries, their
    curricula and papers built as objects cost more than the query that found them)."""

    id: int
    url: str
    title: str
    alias: str
    status: str
    status_label: str
    curriculum: str
    arxiv_id: str
    paper_title: str


class Found(NamedTuple):
    """One note found, as a result shows it."""

    id: int
    title: str
    visibility: str
    author: str
    snippet: str


@dataclass
class Results:
    entries: list[Hit] = field(default_factory=list)
    # "arxiv" when the query was an arXiv id; "similar" when only close spellings matched;
    # "more" when more than SCORED entries matched (these are the best of the first SCORED).
    how: str = ""
    scored: int = SCORED
    mine: list[Found] = field(default_factory=list)
    shared: list[Found] = field(default_factory=list)


def _entries_base(user: Any) -> QuerySet[Entry]:
    # What a result shows, with my status on each (by its paper, or by the entry itself for a
    # plain link: a progress row has exactly one of them) in the same query, through the
    # partial unique indexes on (user, paper) and (user, entry).
    by_paper = Progress.objects.filter(user=user, resource_id=OuterRef("resource_id"))
    by_entry = Progress.objects.filter(user=user, entry_id=OuterRef("pk"))
    status = Case(
        When(resource__isnull=False, then=Subquery(by_paper.values("status")[:1])),
        default=Subquery(by_entry.values("status")[:1]),
    )
    return Entry.objects.active().annotate(my_status=status)


# The columns of a Hit, in the order _hits reads them (the ORM's and the SQL's alike).
_HIT_VALUES = (
    *("id", "title", "alias", "curriculum__slug", "curriculum__title"),
    *("resource__arxiv_id", "resource__title", "my_status"),
)


def _hits(rows: Any) -> list[Hit]:
    """Hits from rows of _HIT_VALUES; each curriculum's link prefix reversed once, not once per
    result."""
    labels = dict(Status.choices)
    prefixes: dict[str, str] = {}
    hits = []
    for pk, title, alias, slug, curriculum, arxiv_id, paper_title, status in rows:
        prefix = prefixes.get(slug)
        if prefix is None:
            prefix = reverse("curricula:entry", args=[slug, 0]).removesuffix("0/")
            prefixes[slug] = prefix
        status = status or Status.TO_READ
        hits.append(
            Hit(
                pk,
                f"{prefix}{pk}/",
                title,
                alias or "",
                status,
                labels[status],
                curriculum,
                arxiv_id or "",
                paper_title or "",
            )
        )
    return hits


def entries(user: Any, q: str) -> tuple[list[Hit], str]:
    """Matching entries, best first, and how they matched: "", "more" (more than SCORED, these
    the best of the first SCORED found), "arxiv" or "similar"."""
    arxiv_id = arxiv_id_in(q)
    if arxiv_id:
        found = _hits(
            _entries_base(user)
            .filter(resource__arxiv_id=arxiv_id)
            .order_by("curriculum__title", "position")
            .values_list(*_HIT_VALUES)[:LIMIT]
        )
        if found:
            return found, "arxiv"
    if _is_postgres():
        found, more = _ranked(user, q)
    else:
        found, more = _hits(_plain(user, q.split())), False
    if found:
        return found, "more" if more else ""
    similar = _similar_pg(user, q) if _is_postgres() else _similar_sqlite(user, q)
    return _hits(similar), "similar" if similar else ""


# The top 50 are chosen inside the database by ts_rank on the entry's stored vector (its
# title, alias and why weigh A, its paper's title B). Entries matched by those words of their
# own come first, best first, through their vector's GIN index; then, when fewer than 50 did,
# entries matched only through their paper's metadata (abstract, authors: the papers' ids from
# their GIN index, computed once as an array, then entry.resource_id's index), best first.
# That second branch is not run at all when the first found 50: for "attention scaling" it
# looked up the entries of 659 papers, most of them found by their own words already.
#
# Each branch ranks at most SCORED matches, the first found: ranking reads every match's
# vector, so "attention scaling", in 4,671 of bench/pages.py's 12,300 entries, cost ~11 ms
# ranked in full against ~2 ms for a word in a few hundred. Past SCORED the page says so
# ("more than 500 match: the best 50 of the first 500 found") and asks for another word.
# Whether a branch was cut short comes with its rows (`found`, counted up to SCORED + 1).
#
# Plain SQL, not an ORM queryset around a RawSQL: compiling that and building 150 model
# instances from its rows cost more CPU than PostgreSQL spent finding them. Entries are
# readable by every member (as Entry.objects.active()); my status is read as _entries_base
# reads it. Only constants are interpolated; the words and my id travel as parameters.
_BRANCH = f"""
    SELECT e.id, ts_rank(e.search_doc, {_Q}) AS r, c.title AS t, e.position AS p, {{found}}
    FROM (
        SELECT e.*, count(*) OVER () AS found FROM (
            SELECT e.id, e.search_doc, e.curriculum_id, e.position FROM curricula_entry e
            WHERE e.retired_in_id IS NULL AND {{match}} LIMIT {SCORED + 1}) e
    ) e JOIN curricula_curriculum c ON c.id = e.curriculum_id
    ORDER BY r DESC, t, p, e.id LIMIT {{limit}}"""  # noqa: S608
_OWN = _BRANCH.format(found="e.found", match=f"e.search_doc @@ {_Q}", limit=LIMIT)
_PAPERS = _BRANCH.format(
    found="greatest(e.found, (SELECT cardinality(ids) FROM paper_ids))",
    match=f"NOT e.search_doc @@ {_Q} AND e.resource_id = ANY("  # noqa: S608
    "(SELECT ids FROM paper_ids)::bigint[])",
    limit=f"(SELECT {LIMIT} - count(*) FROM own)",  # noqa: S608
)
RANKED_SQL = f"""
WITH own AS MATERIALIZED ({_OWN}
), paper_ids AS MATERIALIZED (
    SELECT ARRAY(SELECT id FROM curricula_resource WHERE search_doc @@ {_Q}
        LIMIT {SCORED + 1}) AS ids
), papers AS ({_PAPERS}
)
SELECT e.id, e.title, e.alias, c.slug, c.title, r.arxiv_id, r.title,
    CASE WHEN e.resource_id IS NOT NULL
        THEN (SELECT s.status FROM notes_progress s
            WHERE s.user_id = %(user)s AND s.resource_id = e.resource_id)
        ELSE (SELECT s.status FROM notes_progress s
            WHERE s.user_id = %(user)s AND s.entry_id = e.id) END,
    m.found > {SCORED}
FROM (SELECT *, 0 AS k FROM own UNION ALL SELECT *, 1 FROM papers) m
JOIN curricula_entry e ON e.id = m.id
JOIN curricula_curriculum c ON c.id = e.curriculum_id
LEFT JOIN curricula_resource r ON r.id = e.resource_id
ORDER BY m.k, m.r DESC, m.t, m.p, m.id"""  # noqa: S608


def _ranked(user: Any, q: str) -> tuple[list[Hit], bool]:
    """The best 50 matches, and whether more than SCORED matched (then they are the best of
    the first SCORED found)."""
    with _cursor() as cursor:
        cursor.execute(RANKED_SQL, {"q": q, "user": user.pk})
        rows = cursor.fetchall()
    return _hits(row[:-1] for row in rows), any(row[-1] for row in rows)


def _plain(user: Any, words: list[str]) -> Any:
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
    return (
        _entries_base(user)
        .filter(match)
        .order_by("curriculum__title", "position")
        .values_list(*_HIT_VALUES)[:LIMIT]
    )


def _similar_pg(user: Any, q: str) -> list[Any]:
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
    with _cursor() as cursor:
        # The operator's threshold for this transaction only (pg_trgm's default is 0.6), on
        # the connection the query below reads.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(TYPO_SIMILARITY)],
        )
        return list(
            _entries_base(user)
            .using(cursor.db.alias)
            .filter(id__in=matching)
            .annotate(score=score)
            .order_by("-score", "curriculum__title", "position")
            .values_list(*_HIT_VALUES)[:LIMIT]
        )


def _similar_sqlite(user: Any, q: str) -> list[Any]:
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


# A note's title as Note.title makes it (tests hold the two equal for every kind), each part
# read by a subquery of its own: as five LEFT JOINs the query took 1.7-2.7 ms to plan,
# longer than it ran; this way 0.4 ms.
_NOTE_TITLE = """CASE
    WHEN n.kind = 'tier' THEN coalesce((
        SELECT 'Summary: ' || ti.label
            || CASE WHEN coalesce(ti.title, '') <> '' THEN ' — ' || ti.title ELSE '' END
        FROM curricula_tier ti WHERE ti.id = n.tier_id), 'Summary of a deleted tier')
    WHEN n.kind = 'topic' THEN coalesce((
        SELECT 'Summary: ' || tp.title FROM curricula_topic tp WHERE tp.id = n.topic_id),
        'Summary of a deleted topic')
    ELSE coalesce(
        (SELECT e.title FROM curricula_entry e WHERE e.id = n.entry_id),
        (SELECT coalesce(nullif(r.title, ''), r.url) FROM curricula_resource r
            WHERE r.id = n.resource_id),
        'Note on a deleted entry') END"""
# My notes and the notes my teammates shared with me, the best 50 of each: who may read which
# note is access.readable_notes_q written out (my notes, and team-visible notes of anyone
# who shares a team with me; tests hold the two equal). Plain SQL for the same reason as
# RANKED_SQL.
NOTES_SQL = f"""
SELECT n.id, {_NOTE_TITLE}, n.visibility, n.body, n.user_id,
    u.username, u.first_name, u.last_name
FROM (
    SELECT n.id, n.kind, n.entry_id, n.resource_id, n.tier_id, n.topic_id, n.visibility,
        n.body, n.user_id, row_number() OVER (PARTITION BY n.user_id = %(user)s
            ORDER BY ts_rank(n.search_doc, {_Q}) DESC, n.updated_at DESC, n.id) AS place
    FROM notes_note n
    WHERE n.search_doc @@ {_Q} AND n.body <> ''
        AND (n.user_id = %(user)s OR (n.visibility = 'team' AND n.user_id IN (
            SELECT t.user_id FROM teams_membership t WHERE t.team_id IN (
                SELECT m.team_id FROM teams_membership m WHERE m.user_id = %(user)s))))
) n
JOIN auth_user u ON u.id = n.user_id
WHERE n.place <= {LIMIT}
ORDER BY n.place"""  # noqa: S608


def _names(user: Any) -> tuple[str, str, str]:
    return user.username, user.first_name, user.last_name


def notes(user: Any, q: str) -> tuple[list[Found], list[Found]]:
    """My notes, and the notes my teammates shared with me (never anyone's private ones), the
    best 50 of each."""
    if _is_postgres():
        with _cursor() as cursor:
            cursor.execute(NOTES_SQL, {"q": q, "user": user.pk})
            rows = cursor.fetchall()
    else:
        match = Q()
        for word in q.split()[:8]:
            match &= Q(body__icontains=word)
        rows = [
            (n.pk, n.title, n.visibility, n.body, n.user_id, *_names(n.user))
            for n in Note.objects.filter(readable_notes_q(user), match)
            .exclude(body="")
            .select_related("user", "entry", "resource", "tier", "topic")
            .order_by("-updated_at", "-pk")
        ]
    mine: list[Found] = []
    shared: list[Found] = []
    for pk, title, visibility, body, user_id, username, first, last in rows:
        into = mine if user_id == user.pk else shared
        if len(into) < LIMIT:
            # The name as AbstractUser.get_full_name gives it, else the username.
            author = f"{first} {last}".strip() or username
            into.append(Found(pk, title, visibility, author, snippet(body, q)))
    return mine, shared


def search(user: Any, q: str) -> Results:
    """Everything the search page shows, with my status on each entry found."""
    found, how = entries(user, q)
    mine, shared = notes(user, q)
    return Results(found, how, mine=mine, shared=shared)


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
