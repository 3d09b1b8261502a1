"""Invite-only sign-up for allauth: invited addresses and, by setting, allowed email domains."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from notes.models import Invitation
from notes.services import invitation_accept

SESSION_KEY = "readlist_invitation"
CLOSED_MESSAGE = (
    "Sign-up is by invitation only, and this address has not been invited. "
    "Ask an admin to invite you, or use the link in your invitation email."
)


def _domain_allowed(email: str) -> bool:
    domains = {d.lower().lstrip("@") for d in settings.READLIST_SIGNUP_DOMAINS}
    return bool(domains) and email.rsplit("@", 1)[-1].lower() in domains


def _pending(email: str) -> Invitation | None:
    return Invitation.objects.filter(email__iexact=email.strip(), accepted_at__isnull=True).first()


def signup_open(request: HttpRequest | None) -> bool:
    if settings.READLIST_SIGNUP_DOMAINS:
        return True
    if request is not None and request.session.get(SESSION_KEY):
        return True
    return Invitation.objects.filter(accepted_at__isnull=True).exists()


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return signup_open(request)

    def validate_signup_email(self, email: str) -> None:
        """Called by the sign-up form only (notes/signup.py): other forms take any address."""
        if _domain_allowed(email):
            return
        invitation = _pending(email)
        if invitation is not None:
            # Proof the person holds the address: the emailed link, or mandatory verification.
            request = getattr(self, "request", None)
            token = request.session.get(SESSION_KEY) if request is not None else None
            if token == invitation.token or settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory":
                return
        raise ValidationError(CLOSED_MESSAGE)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit)
        if commit and user.email:
            invitation_accept(email=user.email)
            request.session.pop(SESSION_KEY, None)
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """The identity provider vouches for the address; the same invitation rules apply."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        email = (getattr(sociallogin.user, "email", "") or "").strip()
        if not email:
            return False
        return _domain_allowed(email) or _pending(email) is not None

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        if user.email:
            invitation_accept(email=user.email)
        return user
