"""Forms for making a token and resetting the calendar address."""

from __future__ import annotations

from django import forms

from api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name", help_text="What it is for, e.g. “laptop”.")
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ, label="Access"
    )
