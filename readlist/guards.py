"""Small site-wide guards: requests carrying NUL bytes, and caching of personal pages."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

NUL_REASON = "The address contains a NUL character (%00), which no Readlist page accepts."


class RejectNulMiddleware:
    """A NUL byte in the path or the query string is a 400 with a plain page.

    PostgreSQL text cannot hold NUL, so any view that filtered on such a value raised a
    DataError (a 500) — `/invitations/a%00b/`, `/notes/export.md?curriculum=%00`. Refusing it
    here covers every view, present and future. Form fields refuse NUL on their own (Django's
    ProhibitNullCharactersValidator), so request bodies are left to them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            if request.path_info.startswith("/api/"):
                # The API answers every error as problem details (docs/api.md).
                problem = {"type": "about:blank", "title": "Bad request", "status": 400}
                problem["detail"] = NUL_REASON
                return HttpResponseBadRequest(
                    json.dumps(problem), content_type="application/problem+json"
                )
            return HttpResponseBadRequest(render_to_string("400.html", {"reason": NUL_REASON}))
        return self.get_response(request)


class PrivateCacheMiddleware:
    """Any response made for a signed-in person says `Cache-Control: private`, so that no
    shared cache (a proxy, a CDN) keeps it for the next person. readlist.caching gives HTML
    pages `private, no-cache` and an ETag first; this covers the rest (CSV and Markdown
    exports, JSON, redirects, error pages). Responses that set their own Cache-Control are
    left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if not response.has_header("Cache-Control") and user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
