"""While the database is away, people get a short "back soon" page (503), not a traceback."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

# OperationalError: cannot connect, connection lost, statement timeout. InterfaceError: the
# connection was closed under us. Integrity and programming errors stay 500s: they are bugs.
OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def outage_response(request: HttpRequest) -> HttpResponse:
    # The template stands alone: base.html asks for the user and the session, which would
    # need the database that just failed.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turns a database outage raised by a view into the 503 page, and logs it once, briefly."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OUTAGE_ERRORS):
            logger.warning(
                "Database unavailable for %s %s: %s", request.method, request.path, exception
            )
            return outage_response(request)
        return None


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database outage met outside a view (e.g. in a middleware) is still a 503."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OUTAGE_ERRORS):
        return outage_response(request)
    return defaults.server_error(request, template_name)
