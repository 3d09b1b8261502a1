"""Reads for a team's page: who finished what this week, the notes teammates shared (newest
first, a page at a time) and the discussion under each. Everything here is filtered by the team
the viewer is in (teams.access.get_team_for_member): private notes never enter a query."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString

from notes import access as notes_access
from notes import markdown as notes_markdown
from notes.models import Activity, Note, Progress, Status
from teams import mentions
from teams.models import Comment, Membership, Team
from teams.selectors import display_name

WEEK = dt.timedelta(days=7)
NOTES_PER_PAGE = 10
# Comments under a note on the team page (the latest ones); its own page shows up to
# THREAD_MAX, the latest.
THREAD_ON_PAGE = 5
THREAD_MAX = 200
# Done marks read for "finished this week": a week of a team's reading fits easily; beyond
# it the page says "and more" rather than reading without bound.
FINISHED_MAX = 200
# A note on the team page shows its beginning; the note's own page has the rest.
EXCERPT_CHARS = 1500


def people(team: Team) -> dict[str, mentions.Person]:
    """The team's active people, by lower-cased username (what a mention may name). One query."""
    rows = Membership.objects.filter(team=team, user__is_active=True).values_list(
        "user_id", "user__username", "user__first_name", "user__last_name"
    )
    return {
        username.lower(): mentions.Person(pk, username, display_name(first, last, username))
        for pk, username, first, last in rows
    }


@dataclass
class Finished:
    """One teammate's week: what they marked done, newest first."""

    name: str
    user_id: int
    items: list[Activity] = field(default_factory=list)


def finished_this_week(
    team: Team, *, now: dt.datetime | None = None
) -> tuple[list[Finished], bool]:
    """Entries the team's people marked done in the last seven days and still have done, one
    line per thing read (reading a paper twice, or in two lists, counts once), grouped by person
    with the latest first. Also whether there was more than FINISHED_MAX to read. One query."""
    now = now or timezone.now()
    since = now - WEEK
    done = Progress.objects.filter(
        user_id=OuterRef("user_id"), status=Status.DONE, finished_at__gte=since
    )
    marks = list(
        Activity.objects.filter(
            verb=Activity.Verb.STATUS,
            to_status=Status.DONE,
            created_at__gte=since,
            entry__isnull=False,
            user__is_active=True,
            user_id__in=Membership.objects.filter(team=team).values("user_id"),
        )
        .filter(
            Exists(done.filter(resource_id=OuterRef("resource_id")))
            | Exists(done.filter(entry_id=OuterRef("entry_id"), resource__isnull=True))
        )
        .select_related("user", "entry__curriculum")
        .only(
            "created_at",
            "resource_id",
            "entry_id",
            "user__username",
            "user__first_name",
            "user__last_name",
            "entry__title",
            "entry__curriculum__slug",
            "entry__curriculum__title",
        )
        .order_by("-created_at", "-id")[: FINISHED_MAX + 1]
    )
    more = len(marks) > FINISHED_MAX
    by_person: dict[int, Finished] = {}
    seen: set[tuple[int, Any]] = set()
    for mark in marks[:FINISHED_MAX]:
        key = (mark.user_id, mark.resource_id or f"e{mark.entry_id}")
        if key in seen:
            continue
        seen.add(key)
        user = mark.user
        person = by_person.get(mark.user_id)
        if person is None:
            name = display_name(user.first_name, user.last_name, user.username)
            person = by_person[mark.user_id] = Finished(name, mark.user_id)
        person.items.append(mark)
    return list(by_person.values()), more


def shared_notes(team: Team, viewer: Any) -> QuerySet[Note]:
    """Notes the team's people shared with the team, newest first; never a private one, and
    only what notes.access lets the viewer read (the one place that decides)."""
    return (
        Note.objects.filter(
            notes_access.readable_notes_q(viewer),
            visibility=Note.Visibility.TEAM,
            user__is_active=True,
            user_id__in=Membership.objects.filter(team=team).values("user_id"),
        )
        .exclude(body="")
        .select_related("user", "entry__curriculum", "resource", "tier", "topic", "curriculum")
        .defer(
            "resource__abstract",
            "entry__excerpt",
            "entry__curriculum__guidance",
            "entry__curriculum__description",
            "entry__curriculum__note_template",
            "curriculum__guidance",
            "curriculum__description",
            "curriculum__note_template",
        )
        .order_by("-updated_at", "-id")
    )


def get_shared_note(team: Team, viewer: Any, note_id: int) -> Note:
    """A note on this team's page (shared with the team by someone in it), or 404."""
    note = shared_notes(team, viewer).filter(pk=note_id).first()
    if note is None:
        raise Http404("No such note on this team's page")
    return note


def excerpt(body: str) -> tuple[str, bool]:
    """The beginning of a note for the team page (whole paragraphs where it can), and whether
    anything was left out."""
    if len(body) <= EXCERPT_CHARS:
        return body, False
    head = body[:EXCERPT_CHARS]
    cut = head.rfind("\n\n")
    return (head[:cut] if cut > EXCERPT_CHARS // 3 else head + "…"), True


@dataclass
class Shown:
    """A comment as the thread shows it."""

    comment: Comment
    name: str
    html: SafeString | None  # None once removed: its words are not shown
    mine: bool


@dataclass
class Thread:
    note: Note
    comments: list[Shown]
    total: int
    # The comment form's one-time key (teams.discussion.comment_post): one per form, as each
    # thread's form is posted on its own.
    key: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def earlier(self) -> int:
        return self.total - len(self.comments)


def _shown(comment: Comment, viewer: Any, people_by_name: dict[str, mentions.Person]) -> Shown:
    a = comment.author
    name = display_name(a.first_name, a.last_name, a.get_username())
    html = None if comment.removed else mentions.render(comment.body, people_by_name)
    return Shown(comment, name, html, comment.author_id == viewer.pk)


def threads(
    team: Team,
    viewer: Any,
    notes: list[Note],
    people_by_name: dict[str, mentions.Person],
    *,
    latest: int = THREAD_ON_PAGE,
) -> dict[int, Thread]:
    """The latest `latest` comments of this team under each note, oldest first, with how many
    there are in all. One query, however many notes and comments."""
    ids = [n.pk for n in notes]
    out = {n.pk: Thread(n, [], 0) for n in notes}
    if not ids:
        return out
    rows = (
        Comment.objects.filter(team=team, note_id__in=ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("note_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            ),
            in_all=Window(Count("id"), partition_by=[F("note_id")]),
        )
        .filter(rank__lte=latest)
        .select_related("author")
        .only(
            "note_id",
            "body",
            "created_at",
            "edited_at",
            "removed_at",
            "author_id",
            "author__username",
            "author__first_name",
            "author__last_name",
        )
        .order_by("note_id", "created_at", "id")
    )
    for c in rows:
        thread = out[c.note_id]
        thread.total = c.in_all
        thread.comments.append(_shown(c, viewer, people_by_name))
    return out


def render_comment(comment: Comment) -> SafeString:
    """A comment's words as the thread renders them (Markdown, inert, mentions marked)."""
    return mentions.render(comment.body, people(comment.team))


def comment_revisions(comment: Comment) -> list[tuple[Any, SafeString]]:
    """Its earlier versions, newest first, each rendered as the thread would have shown it."""
    by_name = people(comment.team)
    return [(r, mentions.render(r.body, by_name)) for r in comment.revisions.all()]


def note_html(note: Note, *, whole: bool) -> tuple[SafeString, bool]:
    """The note rendered (its beginning on the team page), and whether some was left out."""
    if whole:
        return notes_markdown.render(note.body), False
    text, cut = excerpt(note.body)
    return notes_markdown.render(text), cut


def team_page(team: Team, viewer: Any, *, page: Any = None) -> dict[str, Any]:
    """Everything the team page shows, in a fixed number of queries."""
    from django.core.paginator import Paginator

    everyone = people(team)
    paginator = Paginator(shared_notes(team, viewer), NOTES_PER_PAGE)
    current = paginator.get_page(page)
    notes = list(current.object_list)
    by_note = threads(team, viewer, notes, everyone)
    items = []
    for n in notes:
        html, cut = note_html(n, whole=False)
        items.append(
            {
                "note": n,
                "author": author_name(n),
                "html": html,
                "cut": cut,
                "thread": by_note[n.pk],
            }
        )
    finished, more = finished_this_week(team)
    return {
        "team": team,
        "people": everyone,
        "finished": finished,
        "finished_more": more,
        "finished_cap": FINISHED_MAX,
        "items": items,
        "page": current,
    }


def thread_of(
    team: Team, viewer: Any, note: Note, *, whole: bool, people_by_name: Any = None
) -> Thread:
    """One note's thread: its latest THREAD_ON_PAGE comments, or up to THREAD_MAX."""
    everyone = people_by_name if people_by_name is not None else people(team)
    limit = THREAD_MAX if whole else THREAD_ON_PAGE
    return threads(team, viewer, [note], everyone, latest=limit)[note.pk]


def author_name(note: Note) -> str:
    u = note.user
    return display_name(u.first_name, u.last_name, u.get_username())


def teams_of(viewer: Any) -> list[Team]:
    """The teams viewer is in, by name (for the "Team" link in the navigation)."""
    return list(Team.objects.filter(memberships__user=viewer).order_by("name"))
