"""Catalogue pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from curricula.models import Curriculum


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    curriculum = get_object_or_404(Curriculum, slug=slug)
    entries = (
        curriculum.entries.active().select_related("tier", "topic", "resource").order_by("position")
    )
    return render(request, "curricula/detail.html", {"curriculum": curriculum, "entries": entries})
