"""Teams, who manages them, and the curricula assigned to a team or a person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from curricula.models import Curriculum


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MANAGER = "manager", "Manager"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class Assignment(models.Model):
    """A curriculum a manager gave to a whole team or to one person, with dates."""

    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="assignments")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    # A personal assignment belongs to the team whose manager made it: only that team's managers
    # see and change it, although the person may be in other teams too. Null for ones made
    # before this was recorded that no team could be found for (every team of the person's).
    made_in = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="personal_assignments"
    )
    start_date = models.DateField()
    due_date = models.DateField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(user__isnull=True))
                | (Q(team__isnull=True) & Q(user__isnull=False)),
                name="assignment_team_xor_user",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("start_date")),
                name="assignment_due_after_start",
            ),
            models.UniqueConstraint(
                fields=["curriculum", "team"],
                condition=Q(team__isnull=False),
                name="assignment_unique_team",
            ),
            models.UniqueConstraint(
                fields=["curriculum", "user"],
                condition=Q(user__isnull=False),
                name="assignment_unique_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.curriculum} → {self.team or self.user} (due {self.due_date})"


class DigestPreference(models.Model):
    """Whether a person wants the weekly member digest (managers' digests follow their role)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference"
    )
    weekly_digest = models.BooleanField(
        default=True, help_text="Send me what is next and what is new, once a week."
    )
    # Mails about a team page's discussions (teams/discussion.py): a mention, a comment on my
    # shared note. A switch of its own: turning the weekly digest off is not asking to miss a
    # teammate's question.
    discussion_emails = models.BooleanField(
        default=True, help_text="Email me when a teammate mentions me or comments on my note."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {'on' if self.weekly_digest else 'off'}"


class DigestSent(models.Model):
    """A claim on one digest for one person and one period: the unique row makes it go out once."""

    class Kind(models.TextChoices):
        MEMBER = "member", "Member digest"
        MANAGER = "manager", "Manager digest"
        NUDGE = "nudge", "Deadline nudge"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests_sent"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period = models.DateField(help_text="Monday of the week the digest covers.")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period"], name="digest_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} digest for {self.user} ({self.period})"


class InvitationPlacement(models.Model):
    """Where an invited person lands on sign-up: a team, their role in it, and curricula
    assigned to them alone (on top of the team's own assignments)."""

    invitation = models.OneToOneField(
        "notes.Invitation", on_delete=models.CASCADE, related_name="placement"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    curricula = models.ManyToManyField(Curriculum, blank=True, related_name="+")
    due_date = models.DateField(
        null=True, blank=True, help_text="For the curricula above; blank: 12 weeks after sign-up."
    )

    def __str__(self) -> str:
        return f"{self.invitation} → {self.team}"


class Comment(models.Model):
    """A teammate's comment under a note shared with the team, on that team's page.

    A thread belongs to one team: someone in two teams shares a note with both, and what is
    said about it on one team's page stays there. Never deleted by its author: removing it
    retires it (shown as "comment removed"), so the thread keeps its shape and its history.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="comments")
    note = models.ForeignKey("notes.Note", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField()
    created_at = models.DateTimeField()
    # Its author's last edit (the thread says "edited"); their words are theirs to change.
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # The form's one-time key: a double click (or a retried POST) sends the same key twice and
    # makes one comment.
    key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "key"], condition=~Q(key=""), name="comment_once_per_key"
            ),
        ]
        indexes = [models.Index(fields=["team", "note", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} by {self.author_id} on note {self.note_id}"

    @property
    def removed(self) -> bool:
        return self.removed_at is not None


class CommentRevision(models.Model):
    """Words a comment said before its author changed them: every edit keeps the text it
    replaced, so nothing anyone wrote is lost. Read by its author and admins; never edited,
    never deleted on its own (it goes only with its comment, as when its author is erased)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    # When these words were posted (the comment's creation or an earlier edit) and replaced.
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["comment", "-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"comment {self.comment_id} as of {self.written_at:%Y-%m-%d %H:%M}"


class CommentNotice(models.Model):
    """One email a comment owes one person (mentioned, or the note's writer); the row is the
    claim, so a retried task never mails anyone twice."""

    class Reason(models.TextChoices):
        MENTION = "mention", "Mentioned"
        REPLY = "reply", "Comment on their note"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_notices"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why nothing was sent ("opted out", "no email address"), for admins.
    skipped = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="comment_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} notice of comment {self.comment_id} for {self.user_id}"


class BoardVersion(models.Model):
    """A number the database changes on every write that can change what a team's dashboard
    shows (triggers, migration 0008): its people and their names, its assignments, their
    tally lines. The dashboard caches its figures under it (teams.selectors), so a change
    makes a new key and nothing cached is ever stale. Only the triggers write it; a team with
    no row yet is at version 0. Not a foreign key: the triggers of a team's cascade delete
    would otherwise write a row for a team being deleted (ids are never reused on PostgreSQL;
    the cache key holds the team's creation time too)."""

    team_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"team {self.team_id} at {self.version}"
