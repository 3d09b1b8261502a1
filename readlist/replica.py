"""Read-heavy pages read from a replica (DATABASE_REPLICA_URL); who just wrote reads the primary.

Only the views named in READLIST_REPLICA_VIEWS (the dashboard, its CSV, search) read from the
replica, and only while the person has not written recently: any successful POST/PUT/PATCH/
DELETE sets a short-lived cookie that pins their reads to the primary for
READLIST_REPLICA_PIN_SECONDS, longer than the replica's usual lag, so nobody misses their own
change. Everything else, and every write, uses the primary.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PIN_COOKIE = "readlist_pin"
_use_replica: ContextVar[bool] = ContextVar("readlist_use_replica", default=False)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ReplicaRouter:
    """Reads go to the replica only inside a replica view for an unpinned person."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = settings.READLIST_REPLICA_ALIAS
        if alias and _use_replica.get():
            return alias
        return "default"

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


def _pinned(request: HttpRequest) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


class ReplicaPinMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _use_replica.set(False)
        try:
            response = self.get_response(request)
        finally:
            _use_replica.reset(token)
        if (
            settings.READLIST_REPLICA_ALIAS
            and request.method in UNSAFE
            and response.status_code < 400
        ):
            seconds = settings.READLIST_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if (
            settings.READLIST_REPLICA_ALIAS
            and request.method not in UNSAFE
            and match is not None
            and match.view_name in settings.READLIST_REPLICA_VIEWS
            and not _pinned(request)
        ):
            _use_replica.set(True)
