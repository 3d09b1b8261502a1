"""The curriculum page's body and entry rows, rendered by Jinja2 (jinja2/curricula/).

A tier shows 25 rows at a time. As a Django template partial they took 12.7 ms of a ~60 ms
page (about half a millisecond per row: ~55 variable lookups each); the same markup in Jinja2
takes 0.37 ms (median of 50 renders of the same 25 rows of bench/pages.py's 10,000-entry
list, same machine, same minute). The body followed (page.html): its tiers' loop took 2.3 ms of
CPU as Django markup, 0.6 ms in Jinja2. The layout around it stays base.html, a Django
template every page shares.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

from notes import outline
from readlist import csrf

_NAME = "curricula/entry_rows.html"
_PAGE = "curricula/page.html"


def _template() -> Any:
    return engines["jinja2"].get_template(_NAME)


def rows(context: dict[str, Any], section: outline.Section | None) -> SafeString:
    """The rows of an open section, its "next entries" link, or that nothing matches."""
    if section is None:
        return mark_safe("")
    # Safe: the Jinja2 backend autoescapes everything it outputs.
    return mark_safe(_template().render({**context, "section": section, "row": None}))


def row(context: dict[str, Any], row: outline.Row, error: str = "") -> SafeString:
    """One row, as the status control's htmx answer swaps it in."""
    return mark_safe(_template().render({**context, "row": row, "error": error}))


def page_body(context: dict[str, Any], request: HttpRequest) -> SafeString:
    """The page's body: its head, filters, status form and every tier with my progress, the
    open one with its rows (context["rows_html"]).

    The tiers' loop took 2.3 ms of CPU as Django template markup on bench/pages.py's 300-entry
    list (five tiers), 0.6 ms in Jinja2; the rest of the body 1.3 ms, 0.3 ms in Jinja2. With
    the request for its CSRF input, masked once for the whole page (readlist.csrf)."""
    body = {**context, "csrf_input": csrf.hidden_input(request)}
    return mark_safe(engines["jinja2"].get_template(_PAGE).render(body))


def status_extras(section: outline.Section | None, built: outline.Outline) -> SafeString:
    """What a change of status moves besides its row, as out-of-band swaps: the tier's
    progress, the overall progress and the counts."""
    template = engines["jinja2"].get_template(_PAGE)
    return mark_safe(template.render({"oob": True, "section": section, "outline": built}))
