"""Search over entries, paper metadata, my notes and the notes my teammates shared with me.

On PostgreSQL: every match ranked by full text over stored search vectors
(notes/migrations/0008), entries whose titles have the words first (migrations/0015);
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

from django.db import connection, router
from django.db.models import Case, FloatField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import strip_tags

from curricula.canonical import InvalidURL, canonicalize
from curricula.models import Entry
from notes.access import readable_notes_q
from notes.models import Note, Progress, Status
from readlist.sql import cursor as sql_cursor

LIMIT = 50
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
    return sql_cursor(router.db_for_read(Entry))


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
    # "arxiv" when the query was an arXiv id; "similar" when only close spellings matched.
    how: str = ""
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
    """Matching entries, best first, and how they matched: "", "arxiv" or "similar"."""
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
    found = _ranked(user, q) if _is_postgres() else _hits(_plain(user, q.split()))
    if found:
        return found, ""
    similar = _similar_pg(user, q) if _is_postgres() else _similar_sqlite(user, q)
    return _hits(similar), "similar" if similar else ""


# The top 50 are chosen inside the database from every match, in three tiers, each ranked by
# ts_rank on the entry's stored vector (its title, alias and why weigh A, its paper's title B),
# then curriculum, position and id:
#   1. entries whose own title or alias has the words ("attention scaling" in a title);
#   2. the other entries matched by their own words (the why, the paper's title);
#   3. entries matched only through their paper's metadata (abstract, authors: the papers'
#      ids from their GIN index, computed once as an array, then entry.resource_id's index).
# A tier runs only when the tiers before it found fewer than 50 (LIMIT 0 reads nothing), so a
# word in many titles ranks its title matches alone: "attention scaling", in 4,671 of
# bench/pages.py's 12,300 entries and in the titles of 337, ranks 337 rows instead of 4,671.
# Reading and ranking a match costs a few microseconds, the same for the first match and the
# 5,000th, so no tier is cut short: the best match is found wherever it is stored. Tier 1 is
# found through a GIN index on the titles' words (notes/migrations/0015), not a stored column:
# nothing reads that vector but the index, and the index is built without rewriting the table.
# The tiers' union is LIMITed again, though it never holds more than 50, so the planner knows
# it is small and reads the 50 entries through their primary key: without it, it guessed 426
# rows for "transformer" and hashed all 12,300 entries (27 of the query's 58 ms).
#
# The query is the PL/pgSQL function notes_search_entries (its text is in
# notes/migrations/0016; a change is a new migration), so it is planned once per connection:
# planning it took 1.0-1.8 ms of every search. Entries are readable by every member (as
# Entry.objects.active()); my status is read as _entries_base reads it. Not an ORM queryset
# around a RawSQL: compiling that and building 150 model instances from its rows cost more CPU
# than PostgreSQL spent finding them.
RANKED_SQL = "SELECT * FROM notes_search_entries(%(q)s, %(user)s)"


def _ranked(user: Any, q: str) -> list[Hit]:
    """The best 50 of all matches."""
    with _cursor() as cursor:
        cursor.execute(RANKED_SQL, {"q": q, "user": user.pk})
        return _hits(cursor.fetchall())


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
