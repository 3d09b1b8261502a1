"""Writes of each person's reading state and notes; every change lands in the activity log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from curricula.models import Curriculum, Entry, Resource, Revision, Tier, Topic
from notes.models import Activity, Enrollment, Invitation, Note, NoteVersion, Progress, Status

MAX_NOTE_CHARS = 100_000


class NoteConflict(Exception):
    """A save based on an older version than the stored one: nothing was overwritten."""

    def __init__(self, note: Note) -> None:
        super().__init__(f"note {note.pk} is at version {note.version}")
        self.note = note


@dataclass(frozen=True)
class NoteTarget:
    """What a note is about; one note per person per target."""

    kind: str
    curriculum: Curriculum
    resource: Resource | None = None
    entry: Entry | None = None
    tier: Tier | None = None
    topic: Topic | None = None

    @classmethod
    def for_entry(cls, entry: Entry) -> NoteTarget:
        if entry.resource_id:
            return cls(Note.Kind.RESOURCE, entry.curriculum, resource=entry.resource, entry=entry)
        return cls(Note.Kind.ENTRY, entry.curriculum, entry=entry)

    @classmethod
    def for_tier(cls, tier: Tier) -> NoteTarget:
        return cls(Note.Kind.TIER, tier.curriculum, tier=tier)

    @classmethod
    def for_topic(cls, topic: Topic) -> NoteTarget:
        return cls(Note.Kind.TOPIC, topic.curriculum, topic=topic)

    def lookup(self) -> dict[str, Any]:
        """The fields that identify the note, for filtering a person's notes."""
        if self.kind == Note.Kind.RESOURCE:
            return {"kind": self.kind, "resource": self.resource}
        if self.kind == Note.Kind.ENTRY:
            return {"kind": self.kind, "entry": self.entry}
        if self.kind == Note.Kind.TIER:
            return {"kind": self.kind, "tier": self.tier}
        return {"kind": self.kind, "topic": self.topic}


def _log(actor: Any, verb: str, **fields: Any) -> Activity:
    return Activity.objects.create(user=actor, verb=verb, created_at=timezone.now(), **fields)


def enrollment_follow(*, actor: Any, curriculum: Curriculum) -> Enrollment:
    with transaction.atomic():
        enrollment, created = Enrollment.objects.get_or_create(
            user=actor,
            curriculum=curriculum,
            defaults={"started_at": timezone.now(), "source": Enrollment.Source.FOLLOWED},
        )
        if created:
            _log(actor, Activity.Verb.FOLLOWED, curriculum=curriculum)
    return enrollment


def enrollment_unfollow(*, actor: Any, curriculum: Curriculum) -> bool:
    """Stop following; assigned curricula stay (a manager assigned them). Progress is kept."""
    with transaction.atomic():
        deleted, _ = Enrollment.objects.filter(
            user=actor, curriculum=curriculum, source=Enrollment.Source.FOLLOWED
        ).delete()
        if deleted:
            _log(actor, Activity.Verb.UNFOLLOWED, curriculum=curriculum)
    return bool(deleted)


def changes_mark_seen(*, actor: Any, curriculum: Curriculum, upto: int | None = None) -> bool:
    """Marks the list's changes read up to revision `upto` (the newest the page showed, so one
    imported meanwhile stays unseen), or up to now; False when I do not follow the list."""
    seen = None
    if upto is not None:
        seen = (
            Revision.objects.filter(curriculum=curriculum, number=upto)
            .values_list("created_at", flat=True)
            .first()
        )
    updated = Enrollment.objects.filter(user=actor, curriculum=curriculum).update(
        changes_seen_at=seen or timezone.now()
    )
    return bool(updated)


def _apply(progress: Progress, status: str, now: Any) -> None:
    progress.status = status
    progress.updated_at = now
    if status in (Status.READING, Status.DONE) and progress.started_at is None:
        progress.started_at = now
    progress.finished_at = now if status == Status.DONE else None


def _first_progress(actor: Any, target: dict[str, Any], status: str, now: Any) -> Progress | None:
    """Insert a person's first status on a target, or None when a concurrent request of theirs
    inserted it first (the unique constraint refused ours: that savepoint alone is undone)."""
    progress = Progress(user=actor, **target)
    _apply(progress, status, now)
    try:
        with transaction.atomic():
            progress.save(force_insert=True)
    except IntegrityError:
        return None
    return progress


def _log_status(actor: Any, entry: Entry, previous: str, status: str) -> None:
    _log(
        actor,
        Activity.Verb.STATUS,
        curriculum_id=entry.curriculum_id,
        entry=entry,
        resource_id=entry.resource_id,
        from_status=previous,
        to_status=status,
    )


def progress_set(*, actor: Any, entry: Entry, status: str) -> Progress:
    """Set my status on what an entry points at (its resource, so it counts everywhere)."""
    if status not in Status.values:
        raise ValueError(f"unknown status {status!r}")
    now = timezone.now()
    target: dict[str, Any] = (
        {"resource_id": entry.resource_id} if entry.resource_id else {"entry_id": entry.pk}
    )
    with transaction.atomic():
        progress = Progress.objects.select_for_update().filter(user=actor, **target).first()
        if progress is None:
            progress = _first_progress(actor, target, status, now)
            if progress is not None:
                _log_status(actor, entry, "", status)
                return progress
            # A request of the same person (a double click) inserted first and has committed:
            # carry on from its row, now locked, as the second of two clicks would.
            progress = Progress.objects.select_for_update().get(user=actor, **target)
        previous = progress.status
        if previous == status:
            return progress
        _apply(progress, status, now)
        progress.save()
        _log_status(actor, entry, previous, status)
    return progress


def _new_version(note: Note, *, now: Any, restored_from: int | None = None) -> NoteVersion:
    note.version += 1
    note.saves += 1
    note.updated_at = now
    note.save()
    return NoteVersion.objects.create(
        note=note,
        number=note.version,
        body=note.body,
        visibility=note.visibility,
        created_at=now,
        edited_at=now,
        restored_from=restored_from,
    )


def _same_session(note: Note, visibility: str, now: Any) -> NoteVersion | None:
    """The latest version, when this save continues its session of editing: its last save is
    recent, it is not a restore (a restore stays a version of its own), and who can read the
    note does not change (sharing a note is worth a line in its history)."""
    minutes = settings.READLIST_NOTE_SESSION_MINUTES
    if not minutes or visibility != note.visibility:
        return None
    latest = NoteVersion.objects.filter(note=note, number=note.version).first()
    if latest is None or latest.restored_from is not None:
        return None
    last = latest.edited_at or latest.created_at
    if now - last > dt.timedelta(minutes=minutes):
        return None
    return latest


def note_save(
    *,
    actor: Any,
    target: NoteTarget,
    body: str,
    visibility: str,
    base_version: int,
    base_saves: int | None = None,
) -> tuple[Note, bool]:
    """Save my note on a target: as a new version, or into the latest one when it continues
    the same session of editing (autosave every few seconds made a dozen versions a session).

    `base_version` (and `base_saves`, every save counted, when the editor sends it) is what the
    editor started from: if anything (another tab) saved since, raise NoteConflict and change
    nothing. Only a save that sends `base_saves` joins a session: without it (an old form, or
    "save mine anyway" after a conflict) every save is a version of its own, so nothing seen
    by someone else is overwritten. Returns (note, whether anything was saved).
    """
    if visibility not in Note.Visibility.values:
        raise ValueError(f"unknown visibility {visibility!r}")
    if len(body) > MAX_NOTE_CHARS:
        raise ValueError(f"a note holds at most {MAX_NOTE_CHARS:,} characters")
    if "\x00" in body:
        # PostgreSQL text cannot hold it (a 500 from the API); the HTML form refuses it too.
        raise ValueError("a note cannot contain NUL characters")
    body = body.replace("\r\n", "\n")
    now = timezone.now()
    with transaction.atomic():
        note = Note.objects.select_for_update().filter(user=actor, **target.lookup()).first()
        if note is None:
            note = Note(
                user=actor,
                kind=target.kind,
                resource=target.resource,
                entry=target.entry,
                tier=target.tier,
                topic=target.topic,
                curriculum=target.curriculum,
                body=body,
                visibility=visibility,
                updated_at=now,
            )
            try:
                with transaction.atomic():
                    _new_version(note, now=now)
            except IntegrityError:
                # Two first saves raced: the other one won, so this one is stale.
                note = Note.objects.get(user=actor, **target.lookup())
                raise NoteConflict(note) from None
        else:
            if base_version != note.version or (
                base_saves is not None and base_saves != note.saves
            ):
                raise NoteConflict(note)
            if note.body == body and note.visibility == visibility:
                return note, False
            session = _same_session(note, visibility, now) if base_saves is not None else None
            note.body = body
            note.visibility = visibility
            if session is not None:
                note.saves += 1
                note.updated_at = now
                note.save(update_fields=["body", "saves", "updated_at"])
                session.body = body
                session.edited_at = now
                session.saves += 1
                session.save(update_fields=["body", "edited_at", "saves"])
                # The log has the session's first save; its later saves add no line.
                return note, True
            _new_version(note, now=now)
        _log(
            actor,
            Activity.Verb.NOTE_SAVED,
            curriculum=target.curriculum,
            entry=target.entry,
            resource=target.resource,
            note=note,
            detail={"version": note.version, "visibility": visibility},
        )
    return note, True


def note_restore(*, actor: Any, note: Note, number: int) -> Note:
    """Make an old version current again, as a new version (history is never rewritten)."""
    with transaction.atomic():
        note = Note.objects.select_for_update().get(pk=note.pk, user=actor)
        old = NoteVersion.objects.get(note=note, number=number)
        note.body = old.body
        _new_version(note, now=timezone.now(), restored_from=number)
        _log(
            actor,
            Activity.Verb.NOTE_RESTORED,
            curriculum_id=note.curriculum_id,
            entry_id=note.entry_id,
            resource_id=note.resource_id,
            note=note,
            detail={"version": note.version, "restored_from": number},
        )
    return note


def invitation_create(*, actor: Any, email: str) -> Invitation:
    invitation, _ = Invitation.objects.get_or_create(
        email=email.strip().lower(), defaults={"invited_by": actor}
    )
    return invitation


def invitation_accept(*, email: str) -> None:
    Invitation.objects.filter(email=email.strip().lower(), accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )


def invitation_send(
    *, actor: Any, invitation: Invitation, accept_url: str, extra: dict[str, Any] | None = None
) -> None:
    """Email the invitation link (subject / text / html templates). `extra` is what the
    invitation offers beyond an account (teams.invitations.offer: team, role, reading); the
    catalogue of people's reading does not know about teams, so the caller passes it."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    # Sending (again) starts the link's life afresh (READLIST_INVITATION_DAYS).
    invitation.created_at = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(created_at=invitation.created_at)
    context = {
        **(extra or {}),
        "invitation": invitation,
        "accept_url": accept_url,
        # Who invited them: the admin who made the invitation, not one who sends it again.
        "inviter": invitation.invited_by or actor,
    }
    subject = render_to_string("notes/email/invitation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject,
        render_to_string("notes/email/invitation.txt", context),
        to=[invitation.email],
    )
    html = render_to_string("notes/email/invitation.html", context)
    message.attach_alternative(html, "text/html")
    message.send()


def entry_work_follow(
    *,
    actor: Any,
    entry: Entry,
    old_resource_id: int | None,
    new_resource_id: int | None,
    follow: bool,
) -> dict[str, int]:
    """An entry now links to another resource (a wrong paper fixed). With `follow`, each
    person's status and note on the old resource go with the entry to the new one: moved when
    nothing else lists the old resource, copied when something does (their Done there stays
    true). What a person already has on the new resource is kept as it is. Without `follow`
    nothing moves. Either way every person concerned gets a line in the activity log.

    None on either side is the entry itself: a link-less item given a link (its work was kept
    on the entry) or a link dropped (the work was on the resource) keeps what people did."""
    now = timezone.now()

    def progress_on(resource_id: int | None) -> Any:
        if resource_id:
            return Progress.objects.filter(resource_id=resource_id)
        return Progress.objects.filter(resource__isnull=True, entry_id=entry.pk)

    def notes_on(resource_id: int | None) -> Any:
        if resource_id:
            return Note.objects.filter(kind=Note.Kind.RESOURCE, resource_id=resource_id)
        return Note.objects.filter(kind=Note.Kind.ENTRY, entry_id=entry.pk)

    new_target: dict[str, Any] = (
        {"resource_id": new_resource_id, "entry_id": None}
        if new_resource_id
        else {"resource_id": None, "entry_id": entry.pk}
    )
    new_kind = Note.Kind.RESOURCE if new_resource_id else Note.Kind.ENTRY
    still_listed = (
        old_resource_id is not None
        and Entry.objects.active().filter(resource_id=old_resource_id).exclude(pk=entry.pk).exists()
    )
    progress = {p.user_id: p for p in progress_on(old_resource_id)}
    notes = {n.user_id: n for n in notes_on(old_resource_id)}
    have_progress = set(progress_on(new_resource_id).values_list("user_id", flat=True))
    have_note = set(notes_on(new_resource_id).values_list("user_id", flat=True))
    counts = {"people": 0, "progress": 0, "notes": 0}
    for user_id in sorted(set(progress) | set(notes)):
        moved_progress = moved_note = False
        if follow and user_id in progress and user_id not in have_progress:
            old = progress[user_id]
            if still_listed:
                Progress.objects.create(
                    user_id=user_id,
                    **new_target,
                    status=old.status,
                    started_at=old.started_at,
                    finished_at=old.finished_at,
                    updated_at=now,
                )
            else:
                old.resource_id, old.entry_id = new_target["resource_id"], new_target["entry_id"]
                old.updated_at = now
                old.save()
            moved_progress = True
        if follow and user_id in notes and user_id not in have_note:
            old_note = notes[user_id]
            if still_listed:
                copy = Note.objects.create(
                    user_id=user_id,
                    kind=new_kind,
                    resource_id=new_resource_id,
                    entry=entry,
                    curriculum_id=entry.curriculum_id,
                    body=old_note.body,
                    visibility=old_note.visibility,
                    updated_at=now,
                )
                _new_version(copy, now=now)
            else:
                old_note.kind = new_kind
                old_note.resource_id = new_resource_id
                old_note.entry = entry
                old_note.curriculum_id = entry.curriculum_id
                old_note.updated_at = now
                old_note.save()
            moved_note = True
        counts["people"] += 1
        counts["progress"] += moved_progress
        counts["notes"] += moved_note
        Activity.objects.create(
            user_id=user_id,
            verb=Activity.Verb.ENTRY_MOVED,
            curriculum_id=entry.curriculum_id,
            entry=entry,
            resource_id=new_resource_id,
            detail={
                "by": getattr(actor, "pk", None),
                "follow": follow,
                "from_resource": old_resource_id,
                "to_resource": new_resource_id,
                "progress_moved": moved_progress,
                "note_moved": moved_note,
            },
            created_at=now,
        )
    return counts


def notes_refile(*, curriculum: Curriculum) -> int:
    """Before a curriculum is deleted: file each note on one of its papers under another
    curriculum that lists the paper (an active entry there first), so the note stays where
    its writer reads that paper. Notes on papers no other curriculum lists, and notes on its
    link-less entries, tiers and topics, are kept without a curriculum (Note's SET_NULL) and
    stay on their writer's "my notes". Returns how many notes moved."""
    from notes import tallies

    notes = list(
        Note.objects.filter(curriculum=curriculum, kind=Note.Kind.RESOURCE).values_list(
            "pk", "user_id", "resource_id"
        )
    )
    if not notes:
        return 0
    homes: dict[int, tuple[int, int]] = {}
    for resource_id, entry_id, curriculum_id in (
        Entry.objects.filter(resource_id__in={r for _, _, r in notes})
        .exclude(curriculum=curriculum)
        .order_by("resource_id", F("retired_in").asc(nulls_first=True), "curriculum_id", "pk")
        .values_list("resource_id", "pk", "curriculum_id")
    ):
        homes.setdefault(resource_id, (entry_id, curriculum_id))
    moved: set[tuple[int, int]] = set()
    for pk, user_id, resource_id in notes:
        if resource_id in homes:
            entry_id, curriculum_id = homes[resource_id]
            Note.objects.filter(pk=pk).update(entry_id=entry_id, curriculum_id=curriculum_id)
            moved.add((user_id, curriculum_id))
    for user_id, curriculum_id in moved:
        tallies.refresh_notes(user_id, curriculum_id)
    return sum(1 for _, _, r in notes if r in homes)


def curriculum_deleting(sender: Any, instance: Curriculum, **kwargs: Any) -> None:
    """pre_delete of a Curriculum (connected in notes.apps): the catalogue cannot know about
    people's notes, so this side keeps them."""
    notes_refile(curriculum=instance)
