"""allauth's sign-up form, closed to addresses that are neither invited nor in an allowed domain.

It asks for a name (the username is derived from it, notes/adapters.py) and, reached through an
invitation link, starts with the invited address filled in."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm
from allauth.core import context
from django import forms


class InviteOnlySignupForm(SignupForm):
    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from notes.adapters import invited_email

        email = invited_email(getattr(context, "request", None))
        if email and "email" in self.fields:
            self.fields["email"].initial = email

    def clean_email(self) -> str:
        email = super().clean_email()
        get_adapter().validate_signup_email(email)
        return email
