"""The catalogue: curricula, revisions, tiers, topics, entries and the resources they link to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Curriculum(models.Model):
    class ReadingOrder(models.TextChoices):
        LISTED = "listed", "As listed"
        BY_TIER = "by_tier", "Tier 1 of every topic, then Tier 2, …"

    class CompletionRule(models.TextChoices):
        CORE_PRACTITIONER_SUMMARY = (
            "core_practitioner_summary",
            "One core and one practitioner source read, and a summary written",
        )
        ALL_CORE = "all_core", "Every core entry read"
        ALL = "all", "Every entry read"

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    guidance = models.TextField(
        blank=True, help_text="Markdown: purpose, how to read, what to skip."
    )
    note_template = models.TextField(
        blank=True, help_text="Starter text for a new note (Markdown)."
    )
    reading_order = models.CharField(
        max_length=20, choices=ReadingOrder.choices, default=ReadingOrder.LISTED
    )
    completion_rule = models.CharField(
        max_length=40, choices=CompletionRule.choices, default=CompletionRule.ALL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Keeping in step with a published list (curricula/sync.py): fetched on a schedule; a
    # changed text becomes a SourceUpdate an admin previews and applies, never applied alone.
    source_url = models.URLField(
        max_length=2000,
        blank=True,
        help_text="A raw Markdown file this curriculum follows (checked daily; changes wait "
        "for an admin to preview and apply them).",
    )
    source_etag = models.CharField(max_length=255, blank=True, editable=False)
    source_last_modified = models.CharField(max_length=64, blank=True, editable=False)
    source_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    source_status = models.CharField(max_length=255, blank=True, editable=False)
    # Raised by the database (triggers, migration 0016) whenever this curriculum's entries,
    # tiers or topics, the papers they link, or the curriculum itself change, however they
    # are written (admin, importer's bulk SQL, workers): pages cache what everyone sees of the
    # list under it (notes/outline.py). Django never sets it.
    content_version = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "curricula"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("curricula:detail", args=[self.slug])


class Revision(models.Model):
    """One import of a source file into a curriculum."""

    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    source_text = models.TextField()
    summary = models.JSONField(default=dict, blank=True)
    summary_text = models.TextField(blank=True)

    class Meta:
        ordering = ["curriculum", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.curriculum.slug} r{self.number}"


class Tier(models.Model):
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="tiers")
    number = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=50, help_text="As written, e.g. “Tier 4+”.")
    title = models.CharField(max_length=255, blank=True)
    note = models.TextField(
        blank=True, help_text="The tier's own note, e.g. a parenthesised remark."
    )
    optional = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    # RESTRICT: deleting the revision alone would quietly bring its retired rows back.
    retired_in = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )

    class Meta:
        ordering = ["curriculum", "position", "number"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum", "number"], name="tier_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.title}" if self.title else self.label


class Topic(models.Model):
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="topics")
    tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
        help_text="Set when the topic lives inside one tier (training-roles); empty when the "
        "topic spans tiers (elicit) or there are no tiers (llm-tricks).",
    )
    part = models.CharField(max_length=255, blank=True, help_text="A grouping above topics.")
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    # RESTRICT: deleting the revision alone would quietly bring its retired rows back.
    retired_in = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )

    class Meta:
        ordering = ["curriculum", "position"]
        indexes = [models.Index(fields=["curriculum", "position"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


class Resource(models.Model):
    """The thing read, shared by every entry that links to it (one canonical URL)."""

    class Kind(models.TextChoices):
        PAPER = "paper"
        BLOG = "blog"
        VIDEO = "video"
        DOCS = "docs"
        BOOK = "book"
        COURSE = "course"
        THREAD = "thread"
        REPO = "repo"
        OTHER = "other"

    class Health(models.TextChoices):
        UNKNOWN = "unknown", "Not checked yet"
        OK = "ok", "OK"
        MOVED = "moved", "Moved"
        BROKEN = "broken", "Broken"
        BLOCKED = "blocked", "Blocked by the site"
        ERROR = "error", "Error"
        SOFT_404 = "soft_404", "Soft 404"

    class ArxivStatus(models.TextChoices):
        NOT_ARXIV = "", "Not an arXiv paper"
        PENDING = "pending", "Not fetched yet"
        FOUND = "found", "Found"
        NOT_FOUND = "not_found", "Not found on arXiv"

    class Verification(models.TextChoices):
        UNCHECKED = "unchecked", "Not verified"
        OK = "ok", "Title matches"
        MISMATCH = "mismatch", "Wrong paper?"
        IGNORED = "ignored", "Ignored (false positive)"

    url = models.URLField(max_length=2000, unique=True, help_text="Canonical URL.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    arxiv_id = models.CharField(max_length=40, blank=True, db_index=True)
    arxiv_version = models.PositiveSmallIntegerField(null=True, blank=True)
    doi = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Fetched metadata (arXiv or the page itself).
    title = models.TextField(blank=True, help_text="The real title, as fetched.")
    authors = models.JSONField(default=list, blank=True)
    abstract = models.TextField(blank=True)
    published = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(null=True, blank=True)
    latest_version = models.PositiveSmallIntegerField(null=True, blank=True)
    primary_category = models.CharField(max_length=40, blank=True)
    categories = models.JSONField(default=list, blank=True)
    journal_ref = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    pdf_url = models.URLField(max_length=2000, blank=True)
    arxiv_status = models.CharField(
        max_length=10, choices=ArxivStatus.choices, default=ArxivStatus.NOT_ARXIV, blank=True
    )
    metadata_fetched_at = models.DateTimeField(null=True, blank=True)
    # Flap guard: a found paper that comes back missing is inconclusive until it is missing
    # again on a later day (arXiv sometimes answers an empty feed for ids that exist).
    arxiv_missing_since = models.DateTimeField(null=True, blank=True, editable=False)
    # The title before a newer version retitled the paper (curricula/arxiv/changes.py).
    title_before = models.TextField(blank=True, editable=False)
    # When a change (withdrawn, retitled, published) was first seen, and when it was mailed.
    changes_noticed_at = models.DateTimeField(null=True, blank=True, editable=False)
    changes_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A broken link's last good snapshot in the Wayback Machine (curricula/archive.py).
    archived_url = models.URLField(max_length=2000, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Link health, derived from LinkCheck rows by the checker.
    health = models.CharField(max_length=10, choices=Health.choices, default=Health.UNKNOWN)
    health_changed_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    moved_to = models.URLField(max_length=2000, blank=True)
    page_title = models.TextField(blank=True)
    # The page's description (meta description, else its first paragraph; linkhealth/pagetext.py):
    # what the title check reads as a web page's abstract. Replaced only with the title it came
    # with, so a failed fetch keeps it.
    page_description = models.TextField(blank=True)
    # When a PDF link's own title was last tried (verdicts/pdf.py): the nightly batch takes the
    # never-tried first, then the longest ago, so a PDF that gives no title does not block others.
    pdf_title_tried_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Does the curated title match what the link really is?
    verification = models.CharField(
        max_length=10, choices=Verification.choices, default=Verification.UNCHECKED
    )
    verification_score = models.FloatField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    # Worker bookkeeping (curricula/linkhealth): a claim lets two workers never check or fetch
    # the same resource at once; the digest stamp makes "newly broken" mail go out once.
    check_claim = models.CharField(max_length=32, blank=True, editable=False)
    check_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    fetch_claim = models.CharField(max_length=32, blank=True, editable=False)
    fetch_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    broken_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["url"]
        indexes = [models.Index(fields=["health"]), models.Index(fields=["verification"])]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def is_arxiv(self) -> bool:
        return bool(self.arxiv_id)

    @property
    def changes(self):
        """Withdrawn, superseded, published as: read from the metadata already fetched."""
        from curricula.arxiv.changes import paper_changes

        return paper_changes(self)


class EntryQuerySet(models.QuerySet["Entry"]):
    def active(self) -> EntryQuerySet:
        return self.filter(retired_in__isnull=True)

    def retired(self) -> EntryQuerySet:
        return self.filter(retired_in__isnull=False)


class Entry(models.Model):
    class Role(models.TextChoices):
        CORE = "core", "Core"
        PRACTITIONER = "practitioner", "Practitioner"
        OPTIONAL = "optional", "Optional"
        UNSPECIFIED = "", "—"

    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="entries")
    tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    resource = models.ForeignKey(
        Resource,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        help_text="Empty for link-less items.",
    )
    url_as_written = models.CharField(max_length=2000, blank=True)
    title = models.CharField(max_length=500)
    alias = models.CharField(max_length=100, blank=True)
    why = models.TextField(blank=True)
    excerpt = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    date_text = models.CharField(max_length=100, blank=True)
    extra_links = models.JSONField(
        default=list, blank=True, help_text='[{"label": "code", "url": "https://…"}]'
    )
    group = models.CharField(max_length=255, blank=True, help_text="Sub-group label, as written.")
    role = models.CharField(
        max_length=15, choices=Role.choices, default=Role.UNSPECIFIED, blank=True
    )
    position = models.PositiveIntegerField(default=0)
    added_on = models.DateField(null=True, blank=True, help_text="✨ added after this date.")
    todo = models.BooleanField(default=False)
    introduced_in = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retired_in = models.ForeignKey(
        Revision,
        null=True,
        blank=True,
        # RESTRICT: deleting the revision alone would quietly bring its retired entries back
        # (a curriculum's deletion still takes both).
        on_delete=models.RESTRICT,
        related_name="+",
        help_text="Entries are retired, never deleted, so nobody's progress or notes are lost.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["curriculum", "position"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["curriculum", "position"]),
            models.Index(
                fields=["curriculum", "position"],
                condition=Q(retired_in__isnull=True),
                name="entry_active_position",
            ),
            # The curriculum page reads one tier's active entries a page at a time, in reading
            # order (topic, position): an index-only scan picks the page's ids.
            models.Index(
                fields=["tier", "topic", "position"],
                include=["id"],
                condition=Q(retired_in__isnull=True),
                name="entry_active_tier_topic",
            ),
            # Each person's progress needs the list's entries counted by tier, topic and role
            # (notes.progress.shapes): an index-only scan, not a read of every entry.
            models.Index(
                fields=["curriculum", "tier", "topic", "role"],
                condition=Q(retired_in__isnull=True),
                name="entry_active_shape",
            ),
            # Home asks whether a list has entries marked added after a person started: few
            # entries carry the mark, so this index holds only them.
            models.Index(
                fields=["curriculum", "added_on"],
                condition=Q(retired_in__isnull=True, added_on__isnull=False),
                name="entry_active_added_on",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_retired(self) -> bool:
        return self.retired_in_id is not None


class CheckRun(models.Model):
    """One pass of the link checker."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=20, default="schedule")
    inconclusive = models.BooleanField(default=False)
    counts = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    # The Celery task that runs it: a task delivered again (its worker was killed) carries on
    # this run instead of starting a second one, and skips what it already recorded.
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    # An unfinished run whose lease has passed was cut short (its worker died): the scheduler
    # or the next run closes it as aborted. Renewed while the run makes progress.
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Check run {self.started_at:%Y-%m-%d %H:%M}"


class LinkCheck(models.Model):
    """One result of checking one resource."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="checks")
    run = models.ForeignKey(
        CheckRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks"
    )
    checked_at = models.DateTimeField(auto_now_add=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Resource.Health.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=2000, blank=True)
    elapsed_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    page_title = models.TextField(blank=True)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["resource", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.outcome}"


# Link-health and verification models live in their own module; importing them here registers them.
from curricula.models_health import HostState, TitleCheck  # noqa: E402

__all__ = [
    "CheckRun",
    "Curriculum",
    "Entry",
    "HostState",
    "LinkCheck",
    "Resource",
    "Revision",
    "Tier",
    "TitleCheck",
    "Topic",
]


class SourceUpdate(models.Model):
    """A changed text fetched from a curriculum's source URL, waiting for an admin."""

    curriculum = models.ForeignKey(
        Curriculum, on_delete=models.CASCADE, related_name="source_updates"
    )
    fetched_at = models.DateTimeField()
    sha256 = models.CharField(max_length=64)
    text = models.TextField()
    summary_text = models.TextField(blank=True)  # the dry-run report when it was fetched
    applied_in = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "Ignore this update": retired, not deleted, so the same text is never offered again and
    # the record says who decided (a different text later is a new update).
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-fetched_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["curriculum", "sha256"], name="source_update_once_per_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.curriculum.slug} source update {self.fetched_at:%Y-%m-%d %H:%M}"
