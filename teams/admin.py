"""Admins manage teams and who is in them; managers assign curricula in the app."""

from __future__ import annotations

from django.contrib import admin

from teams import services
from teams.models import Assignment, DigestPreference, DigestSent, Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "team"
    extra = 0
    fields = ["curriculum", "start_date", "due_date", "assigned_by"]
    readonly_fields = ["assigned_by"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, AssignmentInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Membership:
            # Remember who left, so their team assignments are released after the save.
            request._teams_left = {m.user_id for m in formset.deleted_objects}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.sync_after_change(form.instance, getattr(request, "_teams_left", set()))

    def sync_after_change(self, team, left: set[int]) -> None:
        """People who joined are enrolled in the team's assignments; people who left are not."""
        people = set(team.memberships.values_list("user_id", flat=True)) | set(left)
        if people:
            services.team_enrollments_sync(team=team, user_ids=people)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "curriculum",
        "team",
        "user",
        "made_in",
        "start_date",
        "due_date",
        "assigned_by",
    ]
    list_filter = ["curriculum", "team"]
    list_select_related = ["curriculum", "team", "user", "assigned_by"]
    autocomplete_fields = ["user", "team", "made_in"]
    search_fields = ["curriculum__title", "team__name", "user__username", "user__email"]

    def save_model(self, request, obj, form, change):
        if not obj.assigned_by_id:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)
        services.assignment_synced(assignment=obj)

    def delete_model(self, request, obj):
        people, curriculum_id = services.people_of(obj), obj.curriculum_id
        super().delete_model(request, obj)
        services.enrollments_sync(user_ids=people, curriculum_ids=[curriculum_id])

    def delete_queryset(self, request, queryset):
        pairs = [(services.people_of(a), a.curriculum_id) for a in queryset]
        super().delete_queryset(request, queryset)
        for people, curriculum_id in pairs:
            services.enrollments_sync(user_ids=people, curriculum_ids=[curriculum_id])


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "weekly_digest", "updated_at"]
    list_filter = ["weekly_digest"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "period", "sent_at"]
    list_filter = ["kind", "period"]
    search_fields = ["user__username", "user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
