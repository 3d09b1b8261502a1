"""Admins manage teams and who is in them; managers assign curricula in the app."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse

from notes.admin import InvitationAdmin
from notes.models import Invitation
from teams import discussion, invitations, services
from teams import people as departures
from teams.models import (
    Assignment,
    Comment,
    CommentNotice,
    CommentRevision,
    DigestPreference,
    DigestSent,
    InvitationPlacement,
    Membership,
    Team,
)


class InvitationPlacementInline(admin.StackedInline):
    """Invite into a team, as member or manager, with curricula of their own to read."""

    model = InvitationPlacement
    # The admin's heading read "Invitation placement: #1".
    verbose_name = verbose_name_plural = "Team and reading"
    extra = 1
    max_num = 1
    can_delete = False
    fields = ["team", "role", "curricula", "due_date"]
    autocomplete_fields = ["team"]
    filter_horizontal = ["curricula"]


admin.site.unregister(Invitation)


@admin.register(Invitation)
class TeamInvitationAdmin(InvitationAdmin):
    inlines = [InvitationPlacementInline]

    def email_context(self, invitation: Invitation) -> dict:
        return invitations.offer(invitation)


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
    list_display = ["user", "weekly_digest", "discussion_emails", "updated_at"]
    list_filter = ["weekly_digest", "discussion_emails"]
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


class CommentNoticeInline(admin.TabularInline):
    model = CommentNotice
    extra = 0
    can_delete = False
    fields = ["user", "reason", "sent_at", "skipped"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CommentRevisionInline(admin.TabularInline):
    """The words each edit replaced: kept for the record, shown, never changed or deleted."""

    model = CommentRevision
    extra = 0
    can_delete = False
    fields = ["written_at", "replaced_at", "body"]
    readonly_fields = fields
    verbose_name = "earlier version"
    verbose_name_plural = "earlier versions"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments under shared notes, read-only: their authors retire them on the team page; an
    admin can retire one too (say, one that breaks the rules), never rewrite or delete it."""

    list_display = ["__str__", "team", "author", "created_at", "removed_at"]
    list_filter = ["team", ("removed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["team", "author"]
    search_fields = ["body", "author__username", "author__email"]
    fields = ["team", "note", "author", "body", "created_at", "edited_at", "removed_at"]
    readonly_fields = fields
    date_hierarchy = "created_at"
    inlines = [CommentRevisionInline, CommentNoticeInline]
    actions = ["retire"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Retire: show as “comment removed” (the words stay here)")
    def retire(self, request, queryset):
        n = discussion.comments_retire(actor=request.user, comments=queryset)
        self.message_user(request, f"Retired {n} comment{'s' if n != 1 else ''}.")


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    """Django's user admin, plus erasing or anonymising people who leave (teams/people.py):
    deleting a user who wrote a note is refused by the plain delete, as notes and the log are
    read-only in admin."""

    actions = ["erase_people", "anonymise_people"]

    def _confirm(self, request, queryset, *, erase: bool):
        action = "erase_people" if erase else "anonymise_people"
        if request.POST.get("confirm") == action:
            done = 0
            for person in queryset:
                try:
                    (departures.person_erase if erase else departures.person_anonymise)(
                        actor=request.user, person=person
                    )
                    done += 1
                except departures.PersonError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
            verb = "Erased" if erase else "Anonymised"
            self.message_user(request, f"{verb} {done} {'person' if done == 1 else 'people'}.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase people" if erase else "Anonymise people",
            "opts": self.model._meta,
            "action": action,
            "erase": erase,
            "people": [(p, departures.what_goes(p, erase=erase)) for p in queryset],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/auth/user/person_confirmation.html", context)

    @admin.action(
        description="Erase: delete these people with their notes, statuses and log",
        permissions=["delete"],
    )
    def erase_people(self, request, queryset):
        return self._confirm(request, queryset, erase=True)

    @admin.action(
        description="Anonymise: remove names, emails and notes; keep statuses unattributed",
        permissions=["change"],
    )
    def anonymise_people(self, request, queryset):
        return self._confirm(request, queryset, erase=False)
