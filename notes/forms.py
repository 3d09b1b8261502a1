"""Forms for status changes, notes and filters; they validate, views only call."""

from __future__ import annotations

from django import forms

from curricula.models import Entry
from notes.models import Note, Status
from notes.services import MAX_NOTE_CHARS


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class NoteForm(forms.Form):
    body = forms.CharField(
        required=False,
        max_length=MAX_NOTE_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        label="My note (Markdown)",
    )
    visibility = forms.ChoiceField(
        choices=Note.Visibility.choices, initial=Note.Visibility.PRIVATE, label="Who can read it"
    )
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    # Every save the editor has seen (Note.saves): saves that continue a session of editing
    # update one version, so the version number alone no longer tells a stale tab.
    base_saves = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    # "Save mine anyway" after a conflict: the version the person has now seen and overrides.
    overwrite_version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def effective_base(self) -> int:
        data = self.cleaned_data
        if data.get("overwrite_version") is not None:
            return data["overwrite_version"]
        return data["base_version"]

    def effective_saves(self) -> int | None:
        """None after a conflict ("save mine anyway"): that save is a version of its own."""
        data = self.cleaned_data
        if data.get("overwrite_version") is not None:
            return None
        return data.get("base_saves")


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, max_length=MAX_NOTE_CHARS, strip=False)


class FilterForm(forms.Form):
    remaining = forms.BooleanField(required=False, label="Only what remains")
    hide_optional = forms.BooleanField(required=False, label="Hide optional")
    role = forms.ChoiceField(
        required=False,
        label="Role",
        choices=[("", "Any role")] + [(v, lbl) for v, lbl in Entry.Role.choices if v],
    )


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search", strip=True)
