"""Reads of the catalogue."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from curricula.models import Curriculum


def curricula_with_counts() -> QuerySet[Curriculum]:
    return Curriculum.objects.annotate(
        entry_count=Count("entries", filter=Q(entries__retired_in__isnull=True))
    ).order_by("title")
