"""The JSON API at /api/v1/: Django Ninja, OpenAPI generated from the code, problem details
for errors, a personal access token or the session (with CSRF), a rate limit per token."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from api import problems
from api.auth import AUTH, PerToken
from api.endpoints import catalogue, me, teams

DESCRIPTION = """Readlist's catalogue, your reading and your notes, and your teams' progress.

Authenticate with a personal access token (Settings → API tokens) sent as
`Authorization: Bearer rl_…`, or from a signed-in browser (unsafe methods then need the
`X-CSRFToken` header). Lists are paged by an opaque `next_cursor`. Errors are problem details
(`application/problem+json`). What is not yours answers 404."""


class LocalSwagger(DocsBase):
    """Swagger UI from static/vendor/swagger-ui (vendored from npm's swagger-ui-dist), no CDN."""

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        return render(
            request, "api/docs.html", {"api": api, "schema_url": self.get_openapi_url(api, kwargs)}
        )


def _problem_for_405(view: Any) -> Any:
    """Ninja answers a method a path does not take with plain text; make it a problem too."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != problems.CONTENT_TYPE:
            allowed = response.get("Allow", "")
            replaced = problems.problem(405, f"This address takes {allowed or 'other methods'}.")
            replaced["Allow"] = allowed
            return replaced
        return response

    return wrapped


class ReadlistAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return problems.document(super().get_openapi_schema(*args, **kwargs))

    def _get_urls(self) -> Any:
        patterns = super()._get_urls()
        for pattern in patterns:
            if getattr(pattern, "callback", None) is not None:
                pattern.callback = _problem_for_405(pattern.callback)
        return patterns


api = ReadlistAPI(
    title="Readlist API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="apiv1",
    auth=AUTH,
    throttle=[PerToken()],
    docs=LocalSwagger(),
    docs_url="/docs",
)
problems.install(api)
api.add_router("", catalogue.router)
api.add_router("", me.router)
api.add_router("", teams.router)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/v1/: a problem, like every other API answer."""
    return problems.problem(404, "No such endpoint; see /api/v1/docs.")
