"""A team's outgoing hooks (where to post, which events) and the log of every delivery."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from teams.models import Team


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Hook(models.Model):
    """One destination: a Slack incoming webhook, a signed JSON webhook, …"""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "JSON webhook (signed, HMAC-SHA256)"
        SLACK = "slack", "Slack (incoming webhook)"
        MATRIX = "matrix", "Matrix (room, access token)"
        ZULIP = "zulip", "Zulip (stream, bot)"
        MSTEAMS = "msteams", "Microsoft Teams (incoming webhook)"

    class Event(models.TextChoices):
        WEEKLY_SUMMARY = "weekly_summary", "Weekly team summary"
        FINISHED = "finished", "A member finished an assigned curriculum"
        FELL_BEHIND = "fell_behind", "A member fell behind, stalled or is overdue"
        LINKS_BROKEN = "links_broken", "Links newly broken (for admins)"
        WRONG_PAPER = "wrong_paper", "Wrong papers flagged (for admins)"
        TEST = "test", "Test message"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="hooks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=120, blank=True)
    url = models.URLField(max_length=2000, help_text="Where to POST. Kept private to admins.")
    secret = models.CharField(
        max_length=100,
        default=new_secret,
        help_text="Signs each webhook body (X-Readlist-Signature); see docs/integrations.md.",
    )
    events = models.JSONField(default=list, blank=True, help_text="Event names to send.")
    token = models.CharField(
        max_length=500,
        blank=True,
        help_text="Matrix: the bot's access token. Zulip: the bot's API key.",
    )
    options = models.JSONField(
        default=dict,
        blank=True,
        help_text='Zulip: {"email": "bot@…", "stream": "reading", "topic": "Readlist"}.',
    )
    enabled = models.BooleanField(default=True)
    # Consecutive deliveries that failed after all their retries; reset by any success.
    failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "id"]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} for {self.team}"

    def wants(self, event: str) -> bool:
        return event == Hook.Event.TEST or event in (self.events or [])


class Delivery(models.Model):
    """One message to one hook: its payload, every attempt's outcome (the admin's log)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    hook = models.ForeignKey(Hook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    # Once per hook: a weekly summary sent twice (beat ran twice) is one delivery.
    dedupe_key = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Nobody else may attempt it before then: an attempt in flight (a lease) or a retry waiting
    # for its backoff. A task claims the delivery with one conditional UPDATE on it, so a
    # re-queued or twice-delivered task never sends it twice (services.delivery_attempt).
    held_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["hook", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="integrations_delivery_once_per_hook",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.hook} ({self.status})"
