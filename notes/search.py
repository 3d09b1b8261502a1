"""Search over entries, paper metadata and my own notes: ranked full text on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from curricula.models import Entry
from notes.models import Note

LIMIT = 50


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def entries(q: str) -> QuerySet[Entry]:
    base = (
        Entry.objects.active()
        .select_related("curriculum", "resource")
        .defer("curriculum__guidance", "curriculum__note_template", "excerpt")
    )
    if _is_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("title", "alias", "resource__title", weight="A", config="english")
            + SearchVector(
                Cast("resource__authors", TextField()), "why", "tags", weight="B", config="english"
            )
            + SearchVector("resource__abstract", weight="C", config="english")
        )
        query = SearchQuery(q, search_type="websearch", config="english")
        return (
            base.annotate(rank=SearchRank(vector, query))
            .filter(rank__gt=0)
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
