"""Who is calling: a personal access token (Bearer) or the browser session (with CSRF), the
write scope check, and the rate limit keyed per token."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

from api import services
from api.problems import ApiProblem


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = services.token_authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class Session(SessionAuth):
    """The signed-in browser; Ninja checks CSRF on unsafe methods (the page's X-CSRFToken)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            request.api_token = None  # type: ignore[attr-defined]
        return user


AUTH = [TokenAuth(), Session()]


def require_write(request: HttpRequest) -> None:
    """A read-only token may not change anything; the session may (it carries CSRF)."""
    token = getattr(request, "api_token", None)
    if token is not None and not token.can_write:
        raise ApiProblem(403, "This token is read-only; make a read-write token to change data.")


class PerToken(SimpleRateThrottle):
    """One budget per token (each of a person's tokens has its own), else per signed-in
    person, else per address."""

    scope = "api"

    def __init__(self) -> None:
        super().__init__(rate=settings.READLIST_API_RATE_LIMIT)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the setting per request, so a changed limit needs no restart of this object.
        if self.rate != settings.READLIST_API_RATE_LIMIT:
            self.rate = settings.READLIST_API_RATE_LIMIT
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "api_token", None)
        if token is not None:
            ident = f"token:{token.pk}"
        elif getattr(request.user, "is_authenticated", False):
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
