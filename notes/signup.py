"""allauth's sign-up form, closed to addresses that are neither invited nor in an allowed domain."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm


class InviteOnlySignupForm(SignupForm):
    def clean_email(self) -> str:
        email = super().clean_email()
        get_adapter().validate_signup_email(email)
        return email
