"""Admin: hooks per team (with a test message and re-enabling) and the read-only delivery log."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from integrations import services
from integrations.models import Delivery, Hook
from readlist import http


class HookForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[c for c in Hook.Event.choices if c[0] != Hook.Event.TEST],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Hook
        fields = ["team", "kind", "name", "url", "events", "token", "options", "enabled"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            http.validate_url(url)
        except http.MalformedURL as exc:
            raise forms.ValidationError(f"Not a URL that can be posted to: {exc}") from exc
        return url

    def clean(self):
        data = super().clean()
        kind, options = data.get("kind"), data.get("options") or {}
        if kind in (Hook.Kind.MATRIX, Hook.Kind.ZULIP) and not data.get("token"):
            self.add_error("token", "This kind of hook needs a token.")
        if kind == Hook.Kind.ZULIP and not (
            isinstance(options, dict) and options.get("email") and options.get("stream")
        ):
            self.add_error("options", 'Zulip needs {"email": …, "stream": …} (topic optional).')
        return data


@admin.action(description="Send a test message")
def send_test(modeladmin, request, queryset):
    queued = 0
    with transaction.atomic():
        for hook in queryset.select_related("team"):
            queued += len(
                services.hooks_emit(Hook.Event.TEST, team=hook.team, context={}, hooks=[hook])
            )
    modeladmin.message_user(request, f"{queued} test message(s) queued; see the delivery log.")


@admin.action(description="Turn back on (and reset the failure count)")
def enable(modeladmin, request, queryset):
    count = queryset.update(enabled=True, failures=0, disabled_at=None, disabled_reason="")
    modeladmin.message_user(request, f"{count} hook(s) on again.", messages.SUCCESS)


@admin.register(Hook)
class HookAdmin(admin.ModelAdmin):
    form = HookForm
    list_display = ["__str__", "team", "kind", "enabled", "failures", "disabled_at"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["team"]
    readonly_fields = ["secret", "failures", "disabled_at", "disabled_reason", "created_at"]
    actions = [send_test, enable]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was sent where, and what came back. Read-only."""

    list_display = ["created_at", "hook", "event", "status", "attempts", "response_status"]
    list_filter = ["status", "event", "hook__kind"]
    list_select_related = ["hook__team"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
