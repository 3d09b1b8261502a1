"""Admins manage teams and who is in them; managers assign curricula in the app."""

from __future__ import annotations

from django.contrib import admin

from teams.models import Assignment, Membership, Team


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


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["curriculum", "team", "user", "start_date", "due_date", "assigned_by"]
    list_filter = ["curriculum", "team"]
    list_select_related = ["curriculum", "team", "user", "assigned_by"]
    autocomplete_fields = ["user", "team"]
    search_fields = ["curriculum__title", "team__name", "user__username", "user__email"]
