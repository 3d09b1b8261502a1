"""Site-wide views: the home page and the health probes (liveness and readiness)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from curricula import selectors
from notes import deadlines, home_rendering, resurfacing
from notes import selectors as notes_selectors
from notes.models import Enrollment


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Signed in: my curricula, what is next and new, my notes. Otherwise: what Readlist is."""
    if not request.user.is_authenticated:
        return render(request, "home.html", {"curricula": selectors.curricula_with_counts()})
    context = notes_selectors.home(request.user)
    assigned = [
        card.enrollment.curriculum_id
        for card in context["cards"]
        if card.enrollment.source == Enrollment.Source.ASSIGNED
    ]
    # Where I stand against each due date, as my manager sees it (no query without one).
    standing = deadlines.for_member(request.user, assigned) if assigned else {}
    for card in context["cards"]:
        card.deadline = standing.get(card.enrollment.curriculum_id)
    context["resurfaced"] = resurfacing.pick(request.user)
    context["body_html"] = home_rendering.body(request, context)
    return render(request, "home.html", context)


def _bounded(check: Callable[[], str], timeout: float) -> tuple[bool, str]:
    """Runs `check` in a thread of its own and waits at most `timeout` seconds for it.

    A frozen database or broker can hold a socket read longer than any driver timeout; the
    probe must answer anyway. A check left behind ends on its own driver timeout."""
    outcome: list[tuple[bool, str]] = []

    def run() -> None:
        try:
            outcome.append((True, check()))
        except Exception as exc:
            outcome.append((False, type(exc).__name__))

    thread = threading.Thread(target=run, daemon=True, name="readyz-probe")
    thread.start()
    thread.join(timeout)
    return outcome[0] if outcome else (False, "timeout")


def _database_check() -> str:
    # Runs in the probe's own thread, so on a connection of its own, closed when done.
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()
    return "ok"


def _broker_check() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    timeout = settings.READLIST_READYZ_TIMEOUT
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: this process answers requests. Touches neither the database nor the broker,
    so an outage of either never takes working web servers out of rotation or restarts them."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database answers within READLIST_READYZ_TIMEOUT, else 503.

    The broker is reported but not fatal: pages work without it, and work queued while it is
    away waits in the outbox (curricula/outbox) until it is back."""
    timeout = settings.READLIST_READYZ_TIMEOUT
    db_ok, db_detail = _bounded(_database_check, timeout)
    _broker_ok, broker_detail = _bounded(_broker_check, timeout)
    return JsonResponse(
        {
            "status": "ok" if db_ok else "unavailable",
            "database": db_detail,
            "broker": broker_detail,
        },
        status=200 if db_ok else 503,
    )
