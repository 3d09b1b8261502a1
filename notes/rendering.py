"""The curriculum page's body and entry rows, rendered by Jinja2 (jinja2/curricula/).

A tier shows 25 rows at a time. As a Django template partial they took 12.7 ms of a ~60 ms
page (about half a millisecond per row: ~55 variable lookups each); the same markup in Jinja2
takes 0.37 ms (median of 50 renders of the same 25 rows of bench/pages.py's 10,000-entry
list, same machine, same minute). The body followed (page.html): its tiers' loop took 2.3 ms of
CPU as Django markup, 0.6 ms in Jinja2. The layout around it stays base.html, a Django
template every page shares. Rendered rows are then kept per version of the list (_rows):
under load a page of rows cost ~2.4 ms of CPU of the page's ~11, a kept one a lookup each.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from markupsafe import Markup

from notes import cached, outline
from readlist import csrf
from readlist.memo import VersionedMemo

_NAME = "curricula/entry_rows.html"
_PAGE = "curricula/page.html"

# Rendered rows, by the list's version and what of the person a row shows. A row is most of
# a page's markup and of its CPU (~36 escaped values each, 1.4 ms for 25 rows on bench/
# pages.py's data); the same entry with the same status renders the same for everyone, so
# a busy list's rows render once per change of the list. ~1.5 kB each: a few MB per process.
_rows = VersionedMemo(4096)


def _template() -> Any:
    return engines["jinja2"].get_template(_NAME)


def rows(context: dict[str, Any], section: outline.Section | None) -> SafeString:
    """The rows of an open section, its "next entries" link, or that nothing matches."""
    if section is None:
        return mark_safe("")
    html = {r.entry.pk: _row_html(context, r) for block in section.topics for r in block.rows}
    # Safe: the Jinja2 backend autoescapes everything it outputs.
    return mark_safe(
        _template().render({**context, "section": section, "row": None, "row_html": html})
    )


def _row_html(context: dict[str, Any], row: outline.Row) -> Markup:
    """A row of a page of rows, rendered once per version of the list for each thing a row
    shows of a person: a key without any of them would show one person's status to another
    (tests/notes/test_cached.py)."""
    key = (
        *cached.version(context["curriculum"]),
        context["entry_prefix"],
        row.entry.pk,
        row.status,
        row.note_id is not None,
        row.is_new,
    )

    def render() -> Markup:
        # Safe: the Jinja2 backend autoescapes everything it outputs.
        return Markup(_template().render({**context, "row": row, "error": ""}))  # noqa: S704

    return _rows.get(key, render)


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
