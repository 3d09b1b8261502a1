"""Who may see or change which note: the one place that decides, so issue 5 can plug teams in."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from notes.models import Note


def team_scope(viewer: Any, user_field: str = "user") -> Q:
    """People whose team-visible notes `viewer` may read, as a filter on `user_field`.

    "The team" is everyone who shares at least one team (teams.Membership, any role) with
    viewer. A subquery rather than a join, so someone in two of viewer's teams is not
    counted twice.
    """
    if not getattr(viewer, "is_authenticated", False):
        return Q(pk__in=[])
    from teams.models import Membership

    my_teams = Membership.objects.filter(user=viewer).values("team_id")
    teammates = Membership.objects.filter(team_id__in=my_teams).values("user_id")
    return Q(**{f"{user_field}__in": teammates})


def readable_notes_q(viewer: Any) -> Q:
    """Notes `viewer` may read: their own, and team-visible notes of their team.

    notes.resurfacing writes the same rule out in plain SQL (home's hot path); its tests hold
    the two equal, so a change here goes there too."""
    if not getattr(viewer, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(user=viewer) | (Q(visibility=Note.Visibility.TEAM) & team_scope(viewer))


def shared_notes_q(viewer: Any) -> Q:
    """Other people's notes shared with `viewer`'s team (not viewer's own)."""
    return readable_notes_q(viewer) & ~Q(user=viewer)


def can_see_note(viewer: Any, note: Note) -> bool:
    if not getattr(viewer, "is_authenticated", False):
        return False
    if note.user_id == viewer.pk:
        return True
    if note.visibility != Note.Visibility.TEAM:
        return False
    return Note.objects.filter(team_scope(viewer), pk=note.pk).exists()


def get_note_for_reader(viewer: Any, pk: int) -> Note:
    """A note viewer may read, or 404 (other people's private notes do not exist for them)."""
    note = (
        Note.objects.filter(readable_notes_q(viewer), pk=pk)
        .select_related("user", "entry__curriculum", "resource", "tier", "topic", "curriculum")
        .first()
    )
    if note is None:
        raise Http404("No such note")
    return note


def get_note_for_owner(viewer: Any, pk: int) -> Note:
    """A note viewer owns (to edit, restore, see history), or 404."""
    note = (
        Note.objects.filter(user_id=getattr(viewer, "pk", None), pk=pk)
        .select_related("entry__curriculum", "resource", "tier", "topic", "curriculum")
        .first()
    )
    if note is None:
        raise Http404("No such note")
    return note
