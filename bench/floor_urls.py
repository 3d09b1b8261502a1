"""The benchmarks' URLs: the site's, plus the floor every page is measured against."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """What any signed-in page costs at least: the middleware, the session, one query."""
    count = get_user_model().objects.filter(pk=request.user.pk).count()
    return HttpResponse(f"<!doctype html><title>floor</title><p>{count}</p>")


urlpatterns = [path("bench-floor/", floor), path("", include("readlist.urls"))]
