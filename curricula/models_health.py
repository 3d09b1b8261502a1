"""Worker-side state: per-host politeness across workers and the per-entry title verification."""

from __future__ import annotations

from django.db import models


class HostState(models.Model):
    """Politeness for one host, shared by every worker when there is no Redis."""

    host = models.CharField(max_length=255, unique=True)
    next_request_at = models.DateTimeField(null=True, blank=True)
    blocked_until = models.DateTimeField(
        null=True, blank=True, help_text="Set from a 429/503 Retry-After: checks wait until then."
    )
    # Two leases: at most two requests in flight per host.
    lease_a_until = models.DateTimeField(null=True, blank=True)
    lease_b_until = models.DateTimeField(null=True, blank=True)
    # A granted request not yet sent: the next waits for it, since the interval runs from the
    # moment a request really goes out (see politeness.py).
    sending_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "curricula"

    def __str__(self) -> str:
        return self.host


class TitleCheck(models.Model):
    """Does an entry's curated title match what its link really is?"""

    class Status(models.TextChoices):
        OK = "ok", "Title matches"
        DESCRIPTIVE = "descriptive", "Right paper, descriptive label"
        MISMATCH = "mismatch", "Wrong paper?"
        IGNORED = "ignored", "Ignored (false positive)"
        NO_TITLE = "no_title", "No real title to compare"

    class Source(models.TextChoices):
        ARXIV = "arxiv", "arXiv metadata"
        PAGE = "page", "Page title"
        NONE = "", "—"

    entry = models.OneToOneField(
        "curricula.Entry", on_delete=models.CASCADE, related_name="title_check"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NO_TITLE)
    source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    score = models.FloatField(null=True, blank=True)
    curated_title = models.CharField(max_length=500, blank=True)
    real_title = models.TextField(blank=True)
    # Why: ["'GRPO' is defined in the abstract as Group Relative Policy Optimization", …]
    evidence = models.JSONField(default=list, blank=True)
    # [{"arxiv_id": "…", "title": "…", "score": 0.93, "reason": "…"}], best first, at most 3,
    # only candidates the same judge finds supported (above SUGGESTION_MIN_SCORE).
    suggestions = models.JSONField(default=list, blank=True)
    # When arXiv was last searched for candidates: the search budget goes to the oldest first.
    searched_at = models.DateTimeField(null=True, blank=True)
    # Another title the same resource carries in the same curriculum ("listed twice").
    conflict_title = models.CharField(max_length=500, blank=True)
    # An "ignore" holds for this pair of titles only; a change of either brings the flag back.
    ignored_pair = models.CharField(max_length=64, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # When it last became flagged (wrong paper? or listed twice); kept while it stays flagged,
    # cleared when it is not: "newly flagged" for the admins' hooks (integrations/events.py).
    # Written only by curricula.verdicts.services.title_check_record.
    flagged_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        app_label = "curricula"
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.status}"

    @property
    def flagged(self) -> bool:
        return self.status == self.Status.MISMATCH or bool(self.conflict_title)
