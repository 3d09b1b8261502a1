"""Home's body for a signed-in person, rendered by Jinja2 (jinja2/notes/home.html).

As Django template markup (templates/home.html with three includes per card) it took ~3.1 ms
of a ~3.8 ms render on bench/pages.py's data (three lists, five recent notes); in Jinja2,
dates through the environment's `date` filter (readlist/jinja.py) and links from
readlist.links' cache, ~0.9 ms.
The page around it (base.html) stays a Django template, as do the two parts other pages
share: notes/_deadline.html (the curriculum page) and notes/_second_look.html (its "kept"
answer), rendered only when there is something to show.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template import engines
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from notes import markdown
from readlist import csrf

_NAME = "notes/home.html"


def _truncate(text: str, length: int) -> str:
    """Django's |truncatechars."""
    return Truncator(text).chars(length)


def body(request: HttpRequest, context: dict[str, Any]) -> SafeString:
    """My curricula (cards), notes worth a second look, my recent notes, other curricula."""
    for card in context["cards"]:
        deadline = getattr(card, "deadline", None)
        card.deadline_html = (
            render_to_string("notes/_deadline.html", {"d": deadline}) if deadline else ""
        )
    second_look = ""
    if context.get("resurfaced"):
        second_look = render_to_string("notes/_second_look.html", context, request)
    html = (
        engines["jinja2"]
        .get_template(_NAME)
        .render(
            {
                **context,
                "second_look_html": mark_safe(second_look),
                "truncate": _truncate,
                "markdown": markdown.render,
                # One mask of the CSRF token for the whole page (readlist.csrf), not one per form.
                "csrf_input": csrf.hidden_input(request),
            },
        )
    )
    # Safe: the Jinja2 backend autoescapes everything it outputs.
    return mark_safe(html)
