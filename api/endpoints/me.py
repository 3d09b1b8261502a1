"""My reading: enrolments, progress (through notes.services), notes and summaries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from api import pagination
from api.auth import require_write
from api.endpoints.common import READ_ERRORS, WRITE_ERRORS, Paging, links
from api.problems import ApiProblem
from api.schemas import (
    EnrolmentPage,
    NoteCreate,
    NoteOut,
    NotePage,
    NoteUpdate,
    ProgressIn,
    ProgressOut,
    ProgressPage,
)
from curricula.models import Curriculum, Entry, Tier, Topic
from notes import selectors, services
from notes.access import get_note_for_owner, get_note_for_reader
from notes.models import Enrollment, Note
from notes.services import NoteTarget

router = Router(tags=["my reading"])


class CurriculumFilter(Paging):
    curriculum: str | None = None


class ProgressQuery(Paging):
    curriculum: str


@router.get("/me/enrolments", response={200: EnrolmentPage, **READ_ERRORS})
def enrolments(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """The curricula I follow or was assigned, with their target dates."""
    qs = Enrollment.objects.filter(user=request.user).select_related("curriculum")
    items, following = pagination.keyset(qs, ["pk"], paging.cursor, paging.limit)
    return {
        "items": [
            {
                "curriculum": e.curriculum.slug,
                "title": e.curriculum.title,
                "source": e.source,
                "started_at": e.started_at,
                "target_date": e.target_date,
            }
            for e in items
        ],
        "next_cursor": following,
    }


@router.get("/me/progress", response={200: ProgressPage, **READ_ERRORS})
def progress(request: HttpRequest, query: Query[ProgressQuery]) -> dict[str, Any]:
    """My status on each active entry of a curriculum, in reading position."""
    c = get_object_or_404(Curriculum.objects.only("pk"), slug=query.curriculum)
    qs = Entry.objects.active().filter(curriculum=c).only("pk", "resource_id", "position")
    items, following = pagination.keyset(qs, ["position", "pk"], query.cursor, query.limit)
    maps = selectors.status_maps(request.user, [c.pk])
    return {
        "items": [{"entry_id": e.pk, "status": selectors.status_of(e, maps)} for e in items],
        "next_cursor": following,
    }


@router.put(
    "/me/progress/{entry_id}",
    response={200: ProgressOut, **WRITE_ERRORS},
    operation_id="progress_set",
)
def progress_set(request: HttpRequest, entry_id: int, data: ProgressIn) -> dict[str, Any]:
    """Set my status on an entry (on its paper, so it counts in every curriculum listing it)."""
    require_write(request)
    entry = get_object_or_404(Entry.objects.active(), pk=entry_id)
    services.progress_set(actor=request.user, entry=entry, status=data.status)
    return {"entry_id": entry.pk, "status": data.status}


def _note(note: Note, viewer: Any) -> dict[str, Any]:
    curriculum = note.curriculum or (note.entry.curriculum if note.entry_id else None)
    author = note.user
    return {
        "id": note.pk,
        "kind": note.kind,
        "title": note.title,
        "author": author.get_username(),
        "mine": note.user_id == viewer.pk,
        "curriculum": curriculum.slug if curriculum else None,
        "entry_id": note.entry_id,
        "resource_id": note.resource_id,
        "tier_id": note.tier_id,
        "topic_id": note.topic_id,
        "body": note.body,
        "visibility": note.visibility,
        "version": note.version,
        "updated_at": note.updated_at,
    }


def _my_notes(request: HttpRequest, query: CurriculumFilter, kinds: list[str]) -> dict[str, Any]:
    chosen = None
    if query.curriculum:
        chosen = get_object_or_404(Curriculum.objects.only("pk"), slug=query.curriculum)
    qs = selectors.my_notes(request.user, chosen).filter(kind__in=kinds).select_related("user")
    items, following = pagination.keyset(qs, ["-pk"], query.cursor, query.limit)
    return {"items": [_note(n, request.user) for n in items], "next_cursor": following}


@router.get(
    "/me/notes",
    response={200: NotePage, **READ_ERRORS},
    operation_id="notes_list",
    openapi_extra=links(
        200,
        read=("note_get", {"note_id": "$response.body#/items/0/id"}),
        update=("note_update", {"note_id": "$response.body#/items/0/id"}),
    ),
)
def notes(request: HttpRequest, query: Query[CurriculumFilter]) -> dict[str, Any]:
    """My notes on entries, newest first."""
    return _my_notes(request, query, [Note.Kind.RESOURCE, Note.Kind.ENTRY])


@router.get("/me/summaries", response={200: NotePage, **READ_ERRORS})
def summaries(request: HttpRequest, query: Query[CurriculumFilter]) -> dict[str, Any]:
    """My summaries of tiers and topics, newest first."""
    return _my_notes(request, query, [Note.Kind.TIER, Note.Kind.TOPIC])


def _conflict(exc: services.NoteConflict) -> ApiProblem:
    return ApiProblem(
        409,
        f"The note changed since the version you started from; it is now at version "
        f"{exc.note.version}. Merge, then send base_version={exc.note.version}.",
        current_version=exc.note.version,
    )


def _save(request: HttpRequest, target: NoteTarget, body: str, visibility: str, base: int) -> Note:
    try:
        note, _ = services.note_save(
            actor=request.user, target=target, body=body, visibility=visibility, base_version=base
        )
    except services.NoteConflict as exc:
        raise _conflict(exc) from None
    except ValueError as exc:
        raise ApiProblem(422, str(exc)) from None
    return note


@router.post(
    "/me/notes",
    response={201: NoteOut, **WRITE_ERRORS},
    operation_id="note_create",
    openapi_extra=links(
        201,
        read=("note_get", {"note_id": "$response.body#/id"}),
        update=("note_update", {"note_id": "$response.body#/id"}),
    ),
)
def note_create(request: HttpRequest, data: NoteCreate) -> Status:
    """Start my note on an entry (entry_id), or my summary of a tier or topic; if I already
    have one there, 409 with its version (edit it with PUT instead)."""
    require_write(request)
    given = [k for k in ("entry_id", "tier_id", "topic_id") if getattr(data, k) is not None]
    if len(given) != 1:
        raise ApiProblem(422, "Give exactly one of entry_id, tier_id or topic_id.")
    if data.entry_id is not None:
        entry = get_object_or_404(
            Entry.objects.select_related("curriculum", "resource"), pk=data.entry_id
        )
        target = NoteTarget.for_entry(entry)
    elif data.tier_id is not None:
        target = NoteTarget.for_tier(
            get_object_or_404(Tier.objects.select_related("curriculum"), pk=data.tier_id)
        )
    else:
        target = NoteTarget.for_topic(
            get_object_or_404(Topic.objects.select_related("curriculum"), pk=data.topic_id)
        )
    existing = selectors.my_note(request.user, target.lookup())
    if existing is not None:
        raise ApiProblem(
            409,
            f"You already have this note (id {existing.pk}); update it with PUT.",
            current_version=existing.version,
        )
    note = _save(request, target, data.body, data.visibility, 0)
    note = get_note_for_owner(request.user, note.pk)
    return Status(201, _note(note, request.user))


@router.get("/notes/{note_id}", response={200: NoteOut, **READ_ERRORS}, operation_id="note_get")
def note(request: HttpRequest, note_id: int) -> dict[str, Any]:
    """A note I may read: mine, or one shared with a team I am in."""
    found = get_note_for_reader(request.user, note_id)
    return _note(found, request.user)


@router.put("/notes/{note_id}", response={200: NoteOut, **WRITE_ERRORS}, operation_id="note_update")
def note_update(request: HttpRequest, note_id: int, data: NoteUpdate) -> dict[str, Any]:
    """Save a new version of my note; a stale base_version gets 409 and changes nothing."""
    require_write(request)
    found = get_note_for_owner(request.user, note_id)
    curriculum = found.curriculum or (found.entry.curriculum if found.entry_id else None)
    if curriculum is None:
        # What it was about was deleted; the note is kept to read, as on "my notes".
        raise ApiProblem(409, "What this note was about no longer exists; it can only be read.")
    target = NoteTarget(
        found.kind,
        curriculum,
        resource=found.resource,
        entry=found.entry,
        tier=found.tier,
        topic=found.topic,
    )
    _save(request, target, data.body, data.visibility, data.base_version)
    return _note(get_note_for_owner(request.user, note_id), request.user)
