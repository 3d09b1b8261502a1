"""One masked CSRF token per response.

Django masks the CSRF secret afresh every time a template reads the token (its context
processor and Jinja2's csrf_input are lazy and not memoised): six times on the curriculum page,
64 µs of CPU each. Every mask of the secret is accepted and the mask still changes with every
response (what BREACH mitigation needs), so a page uses one.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString

_ATTRIBUTE = "_readlist_masked_csrf_token"


def masked_token(request: HttpRequest) -> str:
    token = getattr(request, _ATTRIBUTE, None)
    if token is None:
        token = get_token(request)
        setattr(request, _ATTRIBUTE, token)
    return token


def hidden_input(request: HttpRequest) -> SafeString:
    """What {% csrf_token %} writes, for the Jinja2 templates."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', masked_token(request)
    )


def token(request: HttpRequest) -> dict[str, str]:
    """Context processor, after Django's built-in csrf one: the same token, masked once."""
    return {"csrf_token": masked_token(request)}
