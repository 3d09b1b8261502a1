"""The catalogue: curricula with their tiers, topics and entries (verdicts for admins)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from api import pagination
from api.endpoints.common import READ_ERRORS, Paging, links
from api.schemas import CurriculumDetail, CurriculumPage, EntryPage
from curricula.models import Curriculum, Entry

router = Router(tags=["catalogue"])


def _curriculum(c: Curriculum) -> dict[str, Any]:
    return {
        "slug": c.slug,
        "title": c.title,
        "description": c.description,
        "reading_order": c.reading_order,
        "completion_rule": c.completion_rule,
        "entries": getattr(c, "entry_count", 0),
        "updated_at": c.updated_at,
    }


def _with_counts():
    return Curriculum.objects.annotate(
        entry_count=Count("entries", filter=Q(entries__retired_in__isnull=True))
    ).defer("guidance", "note_template")


@router.get(
    "/curricula",
    response={200: CurriculumPage, **READ_ERRORS},
    operation_id="curricula_list",
    openapi_extra=links(
        200,
        curriculum=("curriculum_get", {"slug": "$response.body#/items/0/slug"}),
        entries=("entries_list", {"slug": "$response.body#/items/0/slug"}),
    ),
)
def curricula(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Every curriculum (the catalogue is shared by everyone signed in)."""
    items, following = pagination.keyset(_with_counts(), ["pk"], paging.cursor, paging.limit)
    return {"items": [_curriculum(c) for c in items], "next_cursor": following}


@router.get(
    "/curricula/{slug}",
    response={200: CurriculumDetail, **READ_ERRORS},
    operation_id="curriculum_get",
)
def curriculum(request: HttpRequest, slug: str) -> dict[str, Any]:
    """One curriculum with its tiers and topics, retired ones flagged."""
    c = get_object_or_404(_with_counts().defer(None), slug=slug)
    out = _curriculum(c)
    out["guidance"] = c.guidance
    out["tiers"] = [
        {
            "id": t.pk,
            "number": t.number,
            "label": t.label,
            "title": t.title,
            "note": t.note,
            "optional": t.optional,
            "retired": t.retired_in_id is not None,
        }
        for t in c.tiers.order_by("position", "number")
    ]
    out["topics"] = [
        {
            "id": t.pk,
            "tier_id": t.tier_id,
            "part": t.part,
            "number": t.number,
            "title": t.title,
            "description": t.description,
            "retired": t.retired_in_id is not None,
        }
        for t in c.topics.order_by("position", "pk")
    ]
    return out


def _verdict(entry: Entry) -> dict[str, Any] | None:
    r = entry.resource
    if r is None:
        return None
    check = getattr(entry, "title_check", None)
    return {
        "health": r.health,
        "health_changed_at": r.health_changed_at,
        "last_checked_at": r.last_checked_at,
        "moved_to": r.moved_to,
        "verification": r.verification,
        "verification_score": r.verification_score,
        "title_check": check.status if check else None,
        "real_title": check.real_title if check else None,
    }


def _texts(values: Any) -> list[str]:
    return [str(v) for v in values] if isinstance(values, list) else []


def _links(values: Any) -> list[dict[str, str]]:
    if not isinstance(values, list):
        return []
    return [
        {"label": str(v.get("label", "")), "url": str(v.get("url", ""))}
        for v in values
        if isinstance(v, dict)
    ]


@router.get(
    "/curricula/{slug}/entries",
    response={200: EntryPage, **READ_ERRORS},
    operation_id="entries_list",
    openapi_extra=links(200, progress=("progress_set", {"entry_id": "$response.body#/items/0/id"})),
)
def entries(
    request: HttpRequest, slug: str, paging: Query[Paging], include_retired: bool = False
) -> dict[str, Any]:
    """Entries in reading position; admins also get each link's and title's verdict."""
    c = get_object_or_404(Curriculum.objects.only("pk"), slug=slug)
    staff = bool(request.user.is_staff)
    qs = Entry.objects.filter(curriculum=c).select_related("resource")
    if not include_retired:
        qs = qs.filter(retired_in__isnull=True)
    if staff:
        # Verdicts need the title check; nobody else gets the extra join.
        qs = qs.select_related("title_check")
    else:
        qs = qs.defer("resource__abstract", "resource__authors")
    items, following = pagination.keyset(qs, ["position", "pk"], paging.cursor, paging.limit)
    out = []
    for e in items:
        r = e.resource
        out.append(
            {
                "id": e.pk,
                "title": e.title,
                "alias": e.alias,
                "url": r.url if r else None,
                "kind": r.kind if r else None,
                "arxiv_id": (r.arxiv_id or None) if r else None,
                "tier_id": e.tier_id,
                "topic_id": e.topic_id,
                "role": e.role,
                "group": e.group,
                "why": e.why,
                "excerpt": e.excerpt,
                "tags": _texts(e.tags),
                "date_text": e.date_text,
                "extra_links": _links(e.extra_links),
                "position": e.position,
                "added_on": e.added_on,
                "todo": e.todo,
                "retired": e.retired_in_id is not None,
                "verdict": _verdict(e) if staff else None,
            }
        )
    return {"items": out, "next_cursor": following}
