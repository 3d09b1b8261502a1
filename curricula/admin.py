"""Curation in Django admin: curricula, their structure, entries and the resources they link to."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils.html import format_html

from curricula.admin_linkhealth import RESOURCE_ACTIONS, RESOURCE_FILTERS, linkhealth_urls
from curricula.admin_views import import_export_urls
from curricula.models import (
    CheckRun,
    Curriculum,
    Entry,
    LinkCheck,
    Resource,
    Revision,
    SourceUpdate,
    Tier,
    Topic,
)


class RetiredFilter(admin.SimpleListFilter):
    title = "retired"
    parameter_name = "retired"

    def lookups(self, request, model_admin):
        return [("no", "Active"), ("yes", "Retired")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(retired_in__isnull=True)
        if self.value() == "yes":
            return queryset.filter(retired_in__isnull=False)
        return queryset


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0
    fields = ["position", "number", "label", "title", "optional", "note", "retired_in"]
    readonly_fields = ["retired_in"]
    show_change_link = True
    # Deleted from its own page, where TierAdmin checks that nobody summarised it.
    can_delete = False


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    fields = ["number", "created_at", "created_by", "source_name", "summary_text"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


# An address typed without a scheme is taken as https (Django 6's default; 5.2 warns and takes
# http).
HTTPS_BY_DEFAULT = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Curriculum)
class CurriculumAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_BY_DEFAULT
    list_display = [
        "title",
        "slug",
        "entry_count",
        "reading_order",
        "completion_rule",
        "updated_at",
    ]
    search_fields = ["title", "slug", "description"]
    list_filter = ["reading_order", "completion_rule"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [TierInline, RevisionInline]
    # "Import Markdown" and "Export" buttons (curricula/admin_views.py).
    change_list_template = "admin/curricula/curriculum_change_list.html"
    change_form_template = "admin/curricula/curriculum_change_form.html"

    def get_urls(self):
        return import_export_urls(self) + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Texts fetched from the source URL wait here for an admin (curricula/sync.py).
        pending = SourceUpdate.objects.filter(
            curriculum_id=object_id, applied_in__isnull=True, dismissed_at__isnull=True
        ).only("pk", "fetched_at")
        ignored = (
            SourceUpdate.objects.filter(curriculum_id=object_id, dismissed_at__isnull=False)
            .select_related("dismissed_by")
            .defer("text", "summary_text")
            .order_by("-dismissed_at")[:5]
        )
        extra_context = {
            **(extra_context or {}),
            "pending_source_updates": list(pending),
            "ignored_source_updates": list(ignored),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_entries=Count("entries", filter=Q(entries__retired_in__isnull=True)))
        )

    @admin.display(description="entries", ordering="_entries")
    def entry_count(self, obj):
        return obj._entries


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = [
        "curriculum",
        "number",
        "created_at",
        "created_by",
        "source_name",
        "summary_text",
    ]
    list_filter = ["curriculum"]
    list_select_related = ["curriculum", "created_by"]
    search_fields = ["curriculum__title", "source_name", "summary_text"]
    readonly_fields = [
        "curriculum",
        "number",
        "created_at",
        "created_by",
        "source_name",
        "sha256",
        "summary",
        "summary_text",
        "source_text",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revisions are the history of a curriculum: what each import retired points at them.
        return False


class SummarisedAdmin(admin.ModelAdmin):
    """Tiers and topics: a mistaken one that nobody has written about can go; one that people
    have summarised is retired by the next import instead, as deleting it would delete their
    summaries with it. One at a time, so the check runs for each."""

    delete_confirmation_template = "admin/curricula/summarised_delete_confirmation.html"
    SHOWN = 50  # rows named on the confirmation page; the rest are counted

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.notes.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def loosened(self, obj) -> list[tuple[str, QuerySet]]:
        """What stays but loses its link to obj (SET_NULL: Django's page lists only what goes)."""
        return []

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        groups = []
        for heading, rows in self.loosened(obj) if obj is not None else []:
            total = rows.count()
            if total:
                shown = list(rows[: self.SHOWN])
                groups.append(
                    {"heading": heading, "rows": shown, "total": total, "more": total - len(shown)}
                )
        context = {**(extra_context or {}), "loosened": groups}
        return super().delete_view(request, object_id, context)


@admin.register(Tier)
class TierAdmin(SummarisedAdmin):
    list_display = ["label", "title", "curriculum", "position", "optional"]
    list_filter = ["curriculum", "optional", RetiredFilter]
    list_select_related = ["curriculum"]
    search_fields = ["label", "title", "note"]
    ordering = ["curriculum", "position"]

    def loosened(self, obj):
        return [
            ("Entries that will have no tier", obj.entries.order_by("position")),
            ("Topics that will have no tier", obj.topics.order_by("position")),
        ]


@admin.register(Topic)
class TopicAdmin(SummarisedAdmin):
    list_display = ["title", "curriculum", "tier", "part", "position"]
    list_filter = ["curriculum", RetiredFilter]
    list_select_related = ["curriculum", "tier"]
    search_fields = ["title", "part", "description"]
    autocomplete_fields = ["tier"]
    ordering = ["curriculum", "position"]

    def loosened(self, obj):
        return [("Entries that will have no topic", obj.entries.order_by("position"))]


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["title", "alias", "curriculum", "tier", "topic", "role", "link", "is_active"]
    list_filter = ["curriculum", "tier", "role", "resource__kind", RetiredFilter, "todo"]
    list_select_related = ["curriculum", "tier", "topic", "resource"]
    search_fields = ["title", "alias", "why", "tags", "resource__url", "resource__title"]
    autocomplete_fields = ["resource", "tier", "topic"]
    ordering = ["curriculum", "position"]
    readonly_fields = ["introduced_in", "retired_in", "url_as_written", "updated_at"]
    fieldsets = [
        (None, {"fields": ["curriculum", "title", "alias", "resource", "url_as_written"]}),
        ("Place", {"fields": ["tier", "topic", "group", "role", "position"]}),
        (
            "Details",
            {"fields": ["why", "excerpt", "tags", "date_text", "extra_links", "added_on", "todo"]},
        ),
        ("History", {"fields": ["introduced_in", "retired_in", "updated_at"]}),
    ]

    @admin.display(description="link")
    def link(self, obj):
        if not obj.resource:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            obj.resource.url,
            obj.resource.get_kind_display(),
        )

    @admin.display(boolean=True, description="active")
    def is_active(self, obj):
        return obj.retired_in_id is None

    def has_delete_permission(self, request, obj=None):
        # Entries are retired, never deleted, so nobody's progress or notes are lost.
        return False


class LinkCheckInline(admin.TabularInline):
    model = LinkCheck
    extra = 0
    fields = ["checked_at", "outcome", "status_code", "final_url", "elapsed_ms", "error"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-checked_at"]
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-checked_at")


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_BY_DEFAULT
    list_display = ["url", "kind", "arxiv_id", "health", "verification", "last_checked_at"]
    list_filter = ["kind", "health", "verification", "arxiv_status", *RESOURCE_FILTERS]
    actions = RESOURCE_ACTIONS
    change_list_template = "admin/curricula/linkhealth_resource_change_list.html"
    search_fields = ["url", "title", "arxiv_id", "doi", "entries__title"]
    readonly_fields = [
        "created_at",
        "health",
        "health_changed_at",
        "last_checked_at",
        "next_check_at",
        "moved_to",
        "page_title",
        "page_description",
        "verification_score",
        "verified_at",
        "metadata_fetched_at",
    ]
    inlines = [LinkCheckInline]

    def get_urls(self):
        return linkhealth_urls(self) + super().get_urls()

    def has_delete_permission(self, request, obj=None):
        # A resource that an entry points at is protected by the database as well.
        if obj is not None and obj.entries.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CheckRun)
class CheckRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "trigger", "inconclusive", "counts"]
    list_filter = ["inconclusive", "trigger"]
    readonly_fields = ["started_at", "finished_at", "trigger", "inconclusive", "counts", "note"]

    def has_add_permission(self, request):
        return False
