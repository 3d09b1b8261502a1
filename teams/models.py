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
