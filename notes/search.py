"""Search over entries, paper metadata and my own notes: ranked full text on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from curricula.models import Entry
from notes.models import Note

LIMIT = 50


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


# Must match the index expressions in notes/migrations/0002_search_indexes.py.
ENTRY_DOC = (
    "to_tsvector('english'::regconfig, coalesce({t}.title, '') || ' ' || "
    "coalesce({t}.alias, '') || ' ' || coalesce({t}.why, ''))"
)
RESOURCE_DOC = (
    "to_tsvector('english'::regconfig, coalesce({t}.title, '') || ' ' || "
    "coalesce({t}.abstract, '') || ' ' || coalesce({t}.authors::text, ''))"
)
QUERY = "websearch_to_tsquery('english'::regconfig, %s)"


def entries(q: str) -> QuerySet[Entry]:
    base = (
        Entry.objects.active()
        .select_related("curriculum", "resource")
        .defer("curriculum__guidance", "curriculum__note_template", "excerpt", "resource__abstract")
    )
    if _is_postgres():
        # Two indexed matches (entries' own text; the linked paper's metadata, abstract
        # included), ranked with the entry's own words counting double. The SQL is made of
        # constants only; the person's words travel as a parameter.
        entry_doc = ENTRY_DOC.format(t='"curricula_entry"')
        # One IN over a UNION: with two ORed subqueries PostgreSQL would scan instead.
        matching = RawSQL(  # noqa: S611
            f"SELECT id FROM curricula_entry WHERE {ENTRY_DOC.format(t='curricula_entry')} "  # noqa: S608
            f"@@ {QUERY} UNION SELECT id FROM curricula_entry WHERE resource_id IN "
            f"(SELECT id FROM curricula_resource "
            f"WHERE {RESOURCE_DOC.format(t='curricula_resource')} @@ {QUERY})",
            [q, q],
        )
        # Rank on short texts only: ranking by abstracts would re-read every match's abstract.
        rank = RawSQL(  # noqa: S611
            f"2 * ts_rank({entry_doc}, {QUERY}) + coalesce(ts_rank(to_tsvector("
            f'\'english\'::regconfig, "curricula_resource"."title"), {QUERY}), 0)',
            [q, q],
            output_field=FloatField(),
        )
        return (
            base.filter(id__in=matching)
            .annotate(rank=rank)
            .order_by("-rank", "curriculum__title", "position")[:LIMIT]
        )
    match = Q()
    for word in q.split()[:8]:
        match &= (
            Q(title__icontains=word)
            | Q(alias__icontains=word)
            | Q(why__icontains=word)
            | Q(resource__title__icontains=word)
            | Q(resource__authors__icontains=word)
            | Q(resource__abstract__icontains=word)
        )
    return base.filter(match).order_by("curriculum__title", "position")[:LIMIT]


def my_notes(user: Any, q: str) -> QuerySet[Note]:
    base = Note.objects.filter(user=user).select_related(
        "entry__curriculum", "resource", "tier", "topic", "curriculum"
    )
    if _is_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        query = SearchQuery(q, search_type="websearch", config="english")
        return (
            base.annotate(rank=SearchRank(SearchVector("body", config="english"), query))
            .filter(rank__gt=0)
            .order_by("-rank", "-updated_at")[:LIMIT]
        )
    match = Q()
    for word in q.split()[:8]:
        match &= Q(body__icontains=word)
    return base.filter(match).order_by("-updated_at")[:LIMIT]
