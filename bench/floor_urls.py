"""The benchmarks' URLs: the site's, plus the floor every page is measured against, and /healthz
as it stood when issue 13 set bench/load.py's target against it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """What any signed-in page costs at least: the middleware, the session, one query."""
    count = get_user_model().objects.filter(pk=request.user.pk).count()
    return HttpResponse(f"<!doctype html><title>floor</title><p>{count}</p>")


@never_cache
@require_GET
def healthz_then(request: HttpRequest) -> JsonResponse:
    """/healthz until 2026-11-30 (readlist/views.py at 8e959b0^), when issue 13 measured the
    curriculum page at 0.08 of it: SELECT 1 on the request's connection, then a PING to Redis
    on a new client when REDIS_URL is set. Since then /healthz is liveness only and touches
    neither; this is what /readyz does now, without its bounded threads and own connection."""
    checks = {"database": "ok", "broker": "not configured"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        checks["database"] = type(exc).__name__
    if settings.REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
            )
            client.ping()
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = type(exc).__name__
    healthy = checks["database"] == "ok" and checks["broker"] in ("ok", "not configured")
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


HEALTHZ_THEN = "/bench-healthz-then/"
urlpatterns = [
    path("bench-floor/", floor),
    path(HEALTHZ_THEN.strip("/") + "/", healthz_then),
    path("", include("readlist.urls")),
]
