"""Each person's reading state and notes: enrollments, progress, notes with versions, activity."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from curricula.models import Curriculum, Entry, Resource, Tier, Topic
from notes.fields import TextJSONField


class Status(models.TextChoices):
    TO_READ = "to_read", "To read"
    READING = "reading", "Reading"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


class Invitation(models.Model):
    """An address an admin has invited; sign-up is closed to everyone else (see adapters.py)."""

    email = models.EmailField(unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(
        max_length=64, unique=True, default=secrets.token_urlsafe, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def expired(self) -> bool:
        from django.utils import timezone

        age = timezone.now() - self.created_at
        return age.days >= settings.READLIST_INVITATION_DAYS


class Enrollment(models.Model):
    """A person following (or assigned) a curriculum."""

    class Source(models.TextChoices):
        FOLLOWED = "followed", "Followed"
        ASSIGNED = "assigned", "Assigned"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="enrollments")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FOLLOWED)
    started_at = models.DateTimeField()
    target_date = models.DateField(null=True, blank=True)
    # When this person last marked the list's changes read; until then, since started_at.
    changes_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "curriculum"], name="enrollment_unique"),
        ]
        indexes = [models.Index(fields=["curriculum", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.curriculum_id}"


class Progress(models.Model):
    """One person's status on one thing read.

    Keyed on the Resource when the entry has one, so reading a paper counts in every
    curriculum that lists it; keyed on the Entry only for link-less items.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="progress"
    )
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.CASCADE, related_name="progress"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TO_READ)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "progress"
        constraints = [
            models.CheckConstraint(
                condition=(Q(resource__isnull=False, entry__isnull=True))
                | (Q(resource__isnull=True, entry__isnull=False)),
                name="progress_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "resource"],
                condition=Q(resource__isnull=False),
                name="progress_user_resource_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "entry"],
                condition=Q(entry__isnull=False),
                name="progress_user_entry_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-updated_at"]),
            # My papers finished in the resurfacing windows (notes.resurfacing, on home).
            models.Index(
                fields=["user", "finished_at"],
                condition=Q(status="done"),
                name="progress_user_finished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.status}"


class Note(models.Model):
    """A person's Markdown note on a resource (or link-less entry), or a summary of a tier/topic."""

    class Kind(models.TextChoices):
        RESOURCE = "resource", "Note on a source"
        ENTRY = "entry", "Note on a link-less entry"
        TIER = "tier", "Tier summary"
        TOPIC = "topic", "Topic summary"

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private (only me)"
        TEAM = "team", "Shared with my team"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    # For a resource note: the entry it was first written from (its title, its curriculum).
    # Deleting what a note is about never deletes the note (people's words outlive a list):
    # it is kept, on "my notes", and a paper's note moves to another curriculum that lists the
    # paper (notes.refile, when a curriculum is deleted).
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    # Denormalised so dashboards can count notes per person per curriculum in one query.
    curriculum = models.ForeignKey(
        Curriculum, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    body = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    version = models.PositiveIntegerField(default=0, help_text="Number of the latest version.")
    # Every save counts here, also one that updates the latest version (a session of editing):
    # the editor sends back the count it last saw, so a save from a stale tab is a conflict
    # even when the version number has not moved.
    saves = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resource"],
                condition=Q(kind="resource"),
                name="note_user_resource_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "entry"], condition=Q(kind="entry"), name="note_user_entry_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "tier"], condition=Q(kind="tier"), name="note_user_tier_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "topic"], condition=Q(kind="topic"), name="note_user_topic_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-updated_at"]),
            models.Index(fields=["curriculum", "user"]),
            models.Index(fields=["resource", "visibility"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.kind == self.Kind.TIER:
            return f"Summary: {self.tier}" if self.tier_id else "Summary of a deleted tier"
        if self.kind == self.Kind.TOPIC:
            return f"Summary: {self.topic.title}" if self.topic_id else "Summary of a deleted topic"
        if self.entry_id:
            return self.entry.title
        if self.resource_id:
            return self.resource.title or self.resource.url
        return "Note on a deleted entry"


class NoteVersion(models.Model):
    """Every saved text of a note, kept for history, diff and restore."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Note.Visibility.choices)
    created_at = models.DateTimeField()
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    # A version is a session of editing: saves within READLIST_NOTE_SESSION_MINUTES of the last
    # one update it. When its last save was, and how many it took.
    edited_at = models.DateTimeField(null=True, blank=True)
    saves = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["note", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["note", "number"], name="note_version_unique"),
        ]

    def __str__(self) -> str:
        return f"note {self.note_id} v{self.number}"


class Activity(models.Model):
    """Append-only log of what people did; managers read it. Never updated, never deleted."""

    class Verb(models.TextChoices):
        FOLLOWED = "followed", "followed a curriculum"
        UNFOLLOWED = "unfollowed", "stopped following a curriculum"
        STATUS = "status", "changed a status"
        NOTE_SAVED = "note_saved", "saved a note"
        NOTE_RESTORED = "note_restored", "restored a note version"
        ENTRY_MOVED = "entry_moved", "had an entry they read moved to the corrected paper"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities"
    )
    verb = models.CharField(max_length=20, choices=Verb.choices)
    curriculum = models.ForeignKey(
        Curriculum, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["curriculum", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.verb} {self.created_at:%Y-%m-%d %H:%M}"


class ProgressTally(models.Model):
    """Derived: one person's done entries in one curriculum, per tier and role, when they last
    changed a status there, and the notes they wrote in it. notes.tallies keeps it in step with
    Progress, Entry and Note so that a team's dashboard reads a line per person and curriculum
    instead of every progress row and note."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="+")
    # "<tier id, or empty for none>:<role>" → active entries done (notes.tallies.group_key).
    done = TextJSONField(default=dict)
    changed_at = models.DateTimeField(null=True)
    # Notes with a body shared with the team, filed under this curriculum, and when the latest
    # of them was saved (managers read these lines: private notes are not counted).
    notes = models.PositiveIntegerField(default=0)
    noted_at = models.DateTimeField(null=True)
    # Ids of the tiers and topics summarised: {"tiers": [...], "topics": [...]}, or {}.
    summaries = TextJSONField(default=dict)
    # What the curriculum's completion rule makes of the above (notes.progress), kept with it
    # so that a team's dashboard sorts, filters and counts people in the database instead of
    # applying the rule to every person in Python: active entries done whatever the rule, the
    # rule's steps done of its steps, their share, and the first required tier not complete.
    finished = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    percent = models.PositiveSmallIntegerField(default=0)
    current_tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "curriculum"], name="progress_tally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.curriculum_id}: {sum(self.done.values())} done"


class WeekTally(models.Model):
    """Derived: entries of one curriculum that one person finished in the week starting on
    `week` (a Monday), for the cumulative charts; kept by notes.tallies like ProgressTally."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    done = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["user", "curriculum"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.curriculum_id}, week of {self.week}: {self.done}"


class Reaffirmation(models.Model):
    """A resurfaced note its reader found still true ("Still true" on home): it is not brought
    back again for that interval (notes.resurfacing). The note, its text and its versions are
    untouched; this row is the record, with when it was made."""

    class Interval(models.TextChoices):
        WEEK = "week", "about a week ago"
        MONTH = "month", "about a month ago"
        QUARTER = "quarter", "about three months ago"

    # A named relation, not "+": teams.people walks a person's named relations to anonymise them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_reaffirmations"
    )
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="reaffirmations")
    interval = models.CharField(max_length=10, choices=Interval.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "note", "interval"], name="reaffirmation_once_per_interval"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} still agrees with note {self.note_id} ({self.interval})"
