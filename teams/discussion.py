"""Writes for the team page's discussions: post a comment (once, however often it is sent),
retire one, and mail the people it concerns (mentioned teammates, the note's writer)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from curricula import jobs
from notes.models import Note
from teams import mentions, together
from teams.models import (
    Comment,
    CommentNotice,
    CommentRevision,
    DigestPreference,
    Membership,
    Team,
)
from teams.selectors import display_name

log = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 2000
# The same words under the same note this soon after are the same comment sent twice (a
# double click in a form that lost its key, a reload that re-posts).
SAME_WITHIN = dt.timedelta(seconds=30)
# Enough for a lively exchange; a script (or a stuck key) stops here.
RATE_LIMIT = 10
RATE_WINDOW = dt.timedelta(minutes=1)
# A notice still unsent this long after its comment was posted (or last edited) lost its task:
# the broker was down when it was queued, or the task was lost. Long enough for the task queued
# on commit (and its retries' first backoff) to have run.
NOTICE_STALE_AFTER = dt.timedelta(minutes=5)
# Comments queued again per sweep: a long outage drains over a few runs, not in one burst.
NOTICE_SWEEP_MAX = 200
# A mail still unsent this long after its comment is news no more, and one that keeps failing
# would otherwise be queued every run forever and hold newer ones back: its notices are marked
# skipped (visible in admin) instead.
NOTICE_GIVE_UP_AFTER = dt.timedelta(days=2)
NOTICE_GIVEN_UP = "not sent within 2 days"


class CommentError(ValueError):
    """A comment that cannot be posted; the message says why, for the form."""


def wants_discussion_emails(user: Any) -> bool:
    pref = DigestPreference.objects.filter(user=user).only("discussion_emails").first()
    return pref is None or pref.discussion_emails


def discussion_emails_set(*, actor: Any, on: bool) -> DigestPreference:
    pref, _ = DigestPreference.objects.update_or_create(
        user=actor, defaults={"discussion_emails": on}
    )
    return pref


def _clean(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise CommentError("Write something first.")
    if len(body) > MAX_COMMENT_CHARS:
        raise CommentError(f"A comment holds at most {MAX_COMMENT_CHARS:,} characters.")
    if "\x00" in body:
        raise CommentError("A comment cannot contain NUL characters.")
    return body


def comment_post(
    *, actor: Any, team: Team, note: Note, body: str, key: str = ""
) -> tuple[Comment, bool]:
    """Post `actor`'s comment under a note on the team's page; (comment, whether it is new).

    The caller has checked that actor is in the team and the note is on its page
    (together.get_shared_note). Sent twice — the same form key, or the same words within
    SAME_WITHIN — it is one comment. The people it concerns are mailed after the commit."""
    body = _clean(body)
    key = (key or "")[:64]
    now = timezone.now()
    with transaction.atomic():
        if key:
            earlier = Comment.objects.filter(author=actor, key=key).first()
            if earlier is not None:
                return earlier, False
        same = Comment.objects.filter(
            author=actor, team=team, note=note, body=body, created_at__gte=now - SAME_WITHIN
        ).first()
        if same is not None:
            return same, False
        recent = Comment.objects.filter(author=actor, created_at__gte=now - RATE_WINDOW).count()
        if recent >= RATE_LIMIT:
            raise CommentError("That is a lot of comments in a minute: wait a moment, then post.")
        try:
            with transaction.atomic():
                comment = Comment.objects.create(
                    team=team, note=note, author=actor, body=body, created_at=now, key=key
                )
        except IntegrityError:
            # A second request with the same key committed first: that one is the comment.
            return Comment.objects.get(author=actor, key=key), False
        notices = _notices(comment, together.people(team))
        if notices:
            CommentNotice.objects.bulk_create(notices)
            jobs.enqueue_on_commit("teams.comment_notices", comment.pk)
    return comment, True


def _notices(comment: Comment, people: dict[str, mentions.Person]) -> list[CommentNotice]:
    """Who is told: each teammate the comment mentions, and the note's writer (once, even when
    mentioned too); never the commenter, never anyone outside the team."""
    in_team = {p.pk for p in people.values()}
    reasons: dict[int, str] = {}
    for person in mentions.mentioned(comment.body, people):
        reasons[person.pk] = CommentNotice.Reason.MENTION
    writer = comment.note.user_id
    if writer in in_team:
        reasons.setdefault(writer, CommentNotice.Reason.REPLY)
    reasons.pop(comment.author_id, None)
    return [
        CommentNotice(comment=comment, user_id=user_id, reason=reason)
        for user_id, reason in sorted(reasons.items())
    ]


def comment_edit(*, actor: Any, comment: Comment, body: str) -> bool:
    """Change actor's own comment (not a removed one); False when the words are the same.
    The words it replaces are kept as a CommentRevision (its author and admins read them).
    Teammates it now mentions for the first time are mailed; nobody is mailed twice about one
    comment, and the note's writer is not told again."""
    if comment.author_id != actor.pk:
        raise PermissionError("Only its author can edit a comment.")
    if comment.removed:
        raise CommentError("This comment was removed.")
    body = _clean(body)
    if body == comment.body:
        return False
    now = timezone.now()
    with transaction.atomic():
        CommentRevision.objects.create(
            comment=comment,
            body=comment.body,
            written_at=comment.edited_at or comment.created_at,
            replaced_at=now,
        )
        comment.body = body
        comment.edited_at = now
        comment.save(update_fields=["body", "edited_at"])
        told = set(comment.notices.values_list("user_id", flat=True))
        new = [
            n
            for n in _notices(comment, together.people(comment.team))
            if n.user_id not in told and n.reason == CommentNotice.Reason.MENTION
        ]
        if new:
            CommentNotice.objects.bulk_create(new, ignore_conflicts=True)
            jobs.enqueue_on_commit("teams.comment_notices", comment.pk)
    return True


def comment_remove(*, actor: Any, comment: Comment) -> bool:
    """Retire actor's own comment: the thread says "comment removed" where it was, and the row
    (with its words, for admins) stays. Only its author may; False when it already was."""
    if comment.author_id != actor.pk:
        raise PermissionError("Only its author can remove a comment.")
    removed = Comment.objects.filter(pk=comment.pk, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    return bool(removed)


def comments_retire(*, actor: Any, comments: Any) -> int:
    """An admin retires comments (the words stay, for the record); returns how many."""
    if not getattr(actor, "is_staff", False):
        raise PermissionError("Only admins retire other people's comments.")
    return int(comments.filter(removed_at__isnull=True).update(removed_at=timezone.now()))


def comment_notices_send(*, comment_id: int) -> int:
    """Mail what a comment owes; returns how many mails went out. Each notice is claimed with a
    conditional UPDATE before its mail is sent, so a retried or duplicated task mails nobody
    twice; a send that fails gives its claim back (and raises, for the task to retry)."""
    comment = (
        Comment.objects.select_related(
            "author", "team", "note__user", "note__entry", "note__resource", "note__tier"
        )
        .select_related("note__topic")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    pending = list(comment.notices.filter(sent_at__isnull=True, skipped="").select_related("user"))
    members = set(
        Membership.objects.filter(team=comment.team, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    sent = 0
    for notice in pending:
        now = timezone.now()
        if not CommentNotice.objects.filter(pk=notice.pk, sent_at__isnull=True, skipped="").update(
            sent_at=now
        ):
            continue
        why = _skip_reason(comment, notice.user, members)
        if why:
            CommentNotice.objects.filter(pk=notice.pk).update(sent_at=None, skipped=why)
            continue
        try:
            _mail(comment, notice)
        except Exception:
            CommentNotice.objects.filter(pk=notice.pk).update(sent_at=None)
            raise
        sent += 1
    return sent


def comment_notices_requeue_stale() -> list[int]:
    """Queue the mail task again for comments with notices left unsent and unclaimed for
    NOTICE_STALE_AFTER (their task was never published or was lost), oldest first, at most
    NOTICE_SWEEP_MAX; returns their ids. Notices still unsent NOTICE_GIVE_UP_AFTER after their
    comment are given up (marked skipped), so a mail that always fails stops. Nobody is mailed
    twice: the task claims each notice (sent_at, set before the mail goes) with a conditional
    UPDATE, and a claimed or skipped notice is not picked up here."""
    now = timezone.now()
    unsent = CommentNotice.objects.filter(sent_at__isnull=True, skipped="")
    written = Coalesce("comment__edited_at", "comment__created_at")
    unsent.alias(last_written=written).filter(last_written__lt=now - NOTICE_GIVE_UP_AFTER).update(
        skipped=NOTICE_GIVEN_UP
    )
    ids = list(
        Comment.objects.filter(Exists(unsent.filter(comment_id=OuterRef("pk"))))
        .annotate(last_written=Coalesce("edited_at", "created_at"))
        .filter(last_written__lt=now - NOTICE_STALE_AFTER)
        .order_by("id")
        .values_list("id", flat=True)[:NOTICE_SWEEP_MAX]
    )
    for comment_id in ids:
        jobs.enqueue_on_commit("teams.comment_notices", comment_id)
    return ids


def _skip_reason(comment: Comment, user: Any, members: set[int]) -> str:
    if comment.removed:
        return "comment removed"
    if not user.is_active or user.pk not in members:
        return "not in the team"
    if not user.email:
        return "no email address"
    if not wants_discussion_emails(user):
        return "opted out"
    return ""


def _mail(comment: Comment, notice: CommentNotice) -> None:
    base = settings.SITE_URL.rstrip("/")
    a = comment.author
    user = notice.user
    people = together.people(comment.team)
    context = {
        "user": user,
        "name": display_name(user.first_name, user.last_name, user.get_username()),
        "author": display_name(a.first_name, a.last_name, a.get_username()),
        "reason": notice.reason,
        "team": comment.team,
        "note": comment.note,
        "mine": comment.note.user_id == user.pk,
        "body": comment.body,
        "html": mentions.render(comment.body, people),
        "thread_url": base
        + reverse("teams:thread", args=[comment.team.slug, comment.note_id])
        + f"#comment-{comment.pk}",
        "settings_url": base + reverse("teams:digest"),
        "site_url": base,
    }
    template = "teams/email/comment"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject, render_to_string(f"{template}.txt", context), to=[user.email]
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
