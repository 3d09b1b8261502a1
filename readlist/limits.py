"""Refuse request bodies larger than READLIST_MAX_REQUEST_BYTES before anything reads them.

Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams file parts of any size to
temporary files, so an anonymous 200 MB multipart POST to the sign-in page was written to disk.
This middleware runs first and answers 413 from the Content-Length alone. The proxy in front
(deploy/nginx/nginx.conf, client_max_body_size) does the same at the edge.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.READLIST_MAX_REQUEST_BYTES:
            response = HttpResponse(
                render_to_string(
                    "413.html", {"limit_mib": settings.READLIST_MAX_REQUEST_BYTES / 2**20}
                ),
                status=413,
            )
            # The unread body stays on the socket: do not reuse this connection.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
