"""Admin for people's reading state: invitations to send, enrollments; the log is read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models.constants import LOOKUP_SEP
from django.urls import reverse

from notes import services
from notes.models import Activity, Enrollment, Invitation, Note, Progress


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "invited_by", "created_at", "accepted_at"]
    search_fields = ["email"]
    list_filter = [("accepted_at", admin.EmptyFieldListFilter)]
    fields = ["email"]
    actions = ["send_again"]

    def email_context(self, invitation: Invitation) -> dict:
        """What the email says the invitation offers besides an account (teams adds its own)."""
        return {}

    def _send(self, request, invitation: Invitation) -> None:
        url = request.build_absolute_uri(reverse("notes:invitation", args=[invitation.token]))
        services.invitation_send(
            actor=request.user,
            invitation=invitation,
            accept_url=url,
            extra=self.email_context(invitation),
        )

    def save_model(self, request, obj, form, change):
        obj.email = obj.email.strip().lower()
        if not change:
            obj.invited_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Sent after the inlines are saved, so the email can name the team they set.
        super().save_related(request, form, formsets, change)
        if not change:
            self._send(request, form.instance)
            messages.info(request, f"Invitation emailed to {form.instance.email}.")

    @admin.action(description="Email the invitation again")
    def send_again(self, request, queryset):
        for invitation in queryset.filter(accepted_at__isnull=True):
            self._send(request, invitation)
        messages.info(request, "Invitations sent.")


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "curriculum", "source", "started_at", "target_date"]
    list_filter = ["source", "curriculum"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "curriculum"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Progress)
class ProgressAdmin(ReadOnlyAdmin):
    list_display = ["user", "resource", "entry", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["user__username", "resource__url"]
    list_select_related = ["user", "resource", "entry"]


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    """Who wrote what, when — never the text: private notes stay private, even from admins."""

    list_display = ["user", "kind", "curriculum", "visibility", "version", "updated_at"]
    list_filter = ["kind", "visibility", "curriculum"]
    search_fields = ["user__username"]
    fields = ["user", "kind", "curriculum", "visibility", "version", "created_at", "updated_at"]
    list_select_related = ["user", "curriculum"]
    # The fields a URL may filter the list on. Django allows any lookup on the model's own
    # fields (`?body__startswith=a`), and the count it shows would spell out a note's text a
    # letter at a time; a body, and anything reached through the versions, is never one.
    FILTERABLE = frozenset({"id", "user", "kind", "visibility", "curriculum", "updated_at"})

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP, 1)[0] not in self.FILTERABLE:
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """The append-only log: nobody edits or deletes it, admins included."""

    list_display = ["created_at", "user", "verb", "curriculum", "from_status", "to_status"]
    list_filter = ["verb", "curriculum"]
    search_fields = ["user__username"]
    list_select_related = ["user", "curriculum"]
    date_hierarchy = "created_at"
