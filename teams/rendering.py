"""The team dashboard's body and rows, rendered by Jinja2 (jinja2/teams/dashboard.html and
dashboard_rows.html); base.html stays the layout.

A page shows 50 rows. As a Django template partial they took about half of the page's time
(~1,000 variable lookups and 200 date formats for 50 rows); here each date is formatted once
per distinct value in Python and the markup is Jinja2's, as for the curriculum page's rows
(notes/rendering.py). The rest of the body (counts, filters, sort links, the weekly table)
then took 2.5 ms of CPU as a Django template, most of the first view after a write, which keeps
the rows drawn; as Jinja2 it takes a fraction of that (figures in the commit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.template import engines
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe

from teams.selectors import Row, State

_NAME = "teams/dashboard_rows.html"
_BODY = "teams/dashboard.html"


class Shown(NamedTuple):
    """A date as a row shows it: machine-readable (<time datetime>) and for a person."""

    iso: str
    text: str


def _activity(value: dt.datetime, memo: dict) -> Shown:
    # As the template's |date filter: in the site's time zone, "c" then "j M".
    local = timezone.localtime(value)
    day = local.date()
    if day not in memo:
        memo[day] = dateformat.format(day, "j M")
    return Shown(local.isoformat(), memo[day])


def _due(day: dt.date, memo: dict) -> Shown:
    if day not in memo:
        memo[day] = Shown(day.isoformat(), dateformat.format(day, "j M Y"))
    return memo[day]


def rows(page: Iterable[Row], people_prefix: str) -> SafeString:
    """The <tr>s of a page of the dashboard, one a line."""
    seen_memo: dict = {}
    due_memo: dict = {}
    prepared: list[tuple[Row, Shown | None, Shown]] = [
        (
            r,
            _activity(r.last_activity, seen_memo) if r.last_activity else None,
            _due(r.assignment.due_date, due_memo),
        )
        for r in page
    ]
    context: dict[str, Any] = {
        "rows": prepared,
        "people_prefix": people_prefix,
        "labels": State.LABELS,
    }
    # Safe: the Jinja2 backend autoescapes everything it outputs.
    return mark_safe(engines["jinja2"].get_template(_NAME).render(context))


def body(context: dict[str, Any]) -> SafeString:
    """The page's body around its rows (context: teams.views.dashboard's)."""
    return mark_safe(engines["jinja2"].get_template(_BODY).render(context))
