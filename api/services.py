"""Writes for API tokens and calendar feeds: make, revoke, reset, and recognise a secret."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken, CalendarFeed

TOKEN_PREFIX = "rl_"  # noqa: S105 - a visible prefix, not a secret
CALENDAR_PREFIX = "cal_"
# Writing last_used_at on every request would turn each read into a write; a minute is as
# precise as anyone reading "last used" needs.
TOUCH_EVERY = dt.timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(prefix: str) -> tuple[str, str]:
    """(the whole secret, its visible start). The visible part names the token in lists."""
    visible = prefix + secrets.token_hex(4)
    return f"{visible}_{secrets.token_urlsafe(32)}", visible


def token_create(*, actor: Any, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token for actor; the plain token is returned once and never stored."""
    if scope not in ApiToken.Scope.values:
        raise ValueError(f"unknown scope {scope!r}")
    name = name.strip()[:100] or "API token"
    secret, visible = _new_secret(TOKEN_PREFIX)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=visible, digest=digest(secret), scope=scope
    )
    return token, secret


def token_revoke(*, actor: Any, token: ApiToken) -> bool:
    """Revoke one of actor's tokens (kept, greyed out, so its last use stays visible)."""
    return bool(
        ApiToken.objects.filter(pk=token.pk, user=actor, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def token_authenticate(secret: str) -> ApiToken | None:
    """The live token for this secret, with its user; records when it was last used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def calendar_reset(*, actor: Any) -> str:
    """A new secret calendar address for actor (the old one stops working); returned once."""
    secret, _ = _new_secret(CALENDAR_PREFIX)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            user=actor,
            defaults={"digest": digest(secret), "created_at": timezone.now(), "last_used_at": None},
        )
    return secret


def calendar_user(secret: str) -> Any | None:
    """Whose calendar this secret opens, or None; records when it was last fetched."""
    if not secret.startswith(CALENDAR_PREFIX) or len(secret) > 200:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(digest=digest(secret), user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= TOUCH_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user
