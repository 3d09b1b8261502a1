"""The curriculum page's entry rows and outline, rendered by Jinja2 (jinja2/curricula/).

A tier shows 25 rows at a time. As a Django template partial they took 12.7 ms of a ~60 ms
page (about half a millisecond per row: ~55 variable lookups each); the same markup in Jinja2
takes 0.37 ms (median of 50 renders of the same 25 rows of bench/pages.py's 10,000-entry
list, same machine, same minute). The outline (tiers with my progress) followed: 2.3 ms of
CPU as Django markup, 0.6 ms in Jinja2. The page around them stays a Django template.
"""

from __future__ import annotations

from typing import Any

from django.template import engines
from django.utils.safestring import SafeString, mark_safe

from notes import outline

_NAME = "curricula/entry_rows.html"
_OUTLINE = "curricula/outline.html"


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


def outline_sections(context: dict[str, Any]) -> SafeString:
    """Every tier with my progress, the open one with its rows (context["rows_html"]).

    The outline's loop took 2.3 ms of CPU as Django template markup on bench/pages.py's
    300-entry list (five tiers); it is Jinja2 like the rows (jinja2/curricula/outline.html)."""
    return mark_safe(engines["jinja2"].get_template(_OUTLINE).render(context))


def tier_progress(section: outline.Section | None) -> SafeString:
    """One tier's progress as an out-of-band swap, for the status control's htmx answer."""
    if section is None:
        return mark_safe("")
    template = engines["jinja2"].get_template(_OUTLINE)
    return mark_safe(template.render({"progress_only": True, "section": section}))
