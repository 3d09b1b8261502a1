"""Errors as problem details (RFC 9457, application/problem+json), for every failure the API
answers, validation errors included; and the schema that documents them."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

logger = logging.getLogger(__name__)
CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid input",
    429: "Too many requests",
    500: "Server error",
}


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Problem(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    current_version: int | None = None


class ApiProblem(Exception):
    """Raised by an endpoint to answer with a problem (e.g. a 409 with the current version)."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def problem(status: int, detail: str, **extra: Any) -> HttpResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status}
    body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    return HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)


def _loc(item: Any) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in item]


def install(api: Any) -> None:
    """Replace Ninja's default error answers with problem details."""

    @api.exception_handler(ApiProblem)
    def _api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return problem(exc.status, exc.detail, **exc.extra)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": _loc(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
            for e in exc.errors
        ]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(422, detail or "The request is not valid.", errors=errors)

    @api.exception_handler(AuthenticationError)
    def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(
            401, "Sign in, or send a personal access token as “Authorization: Bearer …”."
        )
        response["WWW-Authenticate"] = 'Bearer realm="readlist"'
        return response

    @api.exception_handler(Throttled)
    def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return problem(429, "Too many requests for this token; slow down.")

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(exc.status_code, str(exc))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, "Not found.")

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return problem(500, "Something went wrong on our side; it has been logged.")


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Error answers are problem+json in the schema too, so clients and schemathesis agree."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(code).startswith(("4", "5")) and "application/json" in content:
                    content[CONTENT_TYPE] = content.pop("application/json")
    return schema
