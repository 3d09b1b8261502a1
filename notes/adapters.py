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
from readlist.clientip import client_ip

SESSION_KEY = "readlist_invitation"
CLOSED_MESSAGE = (
    "Sign-up is by invitation only, and this address has not been invited. "
    "Ask an admin to invite you, or use the link in your invitation email."
)


def _domain_allowed(email: str) -> bool:
    domains = {d.lower().lstrip("@") for d in settings.READLIST_SIGNUP_DOMAINS}
    return bool(domains) and email.rsplit("@", 1)[-1].lower() in domains


def _pending(email: str) -> Invitation | None:
    invitation = Invitation.objects.filter(
        email__iexact=email.strip(), accepted_at__isnull=True
    ).first()
    return None if invitation is None or invitation.expired else invitation


def _proved_by_link(request: HttpRequest | None, email: str) -> bool:
    """This browser followed the invitation link emailed to exactly this address (another
    address typed on the form is proved the usual way, by a confirmation email)."""
    token = request.session.get(SESSION_KEY) if request is not None else None
    invitation = _pending(email) if token else None
    return invitation is not None and invitation.token == token


def invited_email(request: HttpRequest | None) -> str:
    """The address of the invitation whose link this browser followed, to pre-fill sign-up."""
    token = request.session.get(SESSION_KEY) if request is not None else None
    if not token:
        return ""
    invitation = Invitation.objects.filter(token=token, accepted_at__isnull=True).first()
    return invitation.email if invitation is not None else ""


def readable_username(first: str, last: str, email: str) -> str:
    """Ada Lovelace → "ada.lovelace" (or the address's local part), then "ada.lovelace2", …"""
    from django.contrib.auth import get_user_model
    from django.utils.text import slugify

    base = ".".join(p for p in (slugify(first), slugify(last)) if p)
    base = (base or slugify(email.split("@", 1)[0]) or "reader").replace("-", ".")[:140]
    taken = set(
        get_user_model()
        .objects.filter(username__istartswith=base)
        .values_list("username", flat=True)
    )
    taken = {name.lower() for name in taken}
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def signup_open(request: HttpRequest | None) -> bool:
    if settings.READLIST_SIGNUP_DOMAINS:
        return True
    if request is not None and request.session.get(SESSION_KEY):
        return True
    return Invitation.objects.filter(accepted_at__isnull=True).exists()


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """Through READLIST_TRUSTED_PROXIES hops of X-Forwarded-For; every allauth rate limit
        keys on this."""
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The failed-sign-in "key" is the account *and* the client address.

        allauth keys it on the account alone, so anyone could lock a person out by failing
        five times from anywhere. Per (account, IP), a person signing in from their own
        address is unaffected; the per-IP limit (LOGIN_RATE_LIMIT) caps guessing across
        accounts from one address."""
        return (
            f"{super()._get_login_attempts_cache_key(request, **credentials)}:{client_ip(request)}"
        )

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

    def populate_username(self, request: HttpRequest, user: Any) -> None:
        if not user.username:
            user.username = readable_username(user.first_name, user.last_name, user.email or "")

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        """Straight to the curriculum assigned to them (through the invitation's team)."""
        from django.urls import reverse

        from notes.models import Enrollment

        enrollment = (
            Enrollment.objects.filter(user=request.user, source=Enrollment.Source.ASSIGNED)
            .select_related("curriculum")
            .order_by("started_at", "pk")
            .first()
        )
        if enrollment is not None:
            return reverse("curricula:detail", args=[enrollment.curriculum.slug])
        return super().get_signup_redirect_url(request)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit)
        if commit and user.email:
            if _proved_by_link(request, user.email):
                # allauth's setup_user_email makes a stashed address verified and primary, so
                # no "Confirmation email sent": the emailed link already proved it.
                self.stash_verified_email(request, user.email)
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
