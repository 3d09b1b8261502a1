"""The dashboard table's rows as HTML, built in Python.

A team of 200 people with three curricula is 600 rows; through the template engine they took
most of the page's time. Every piece of text goes through `escape`; text that repeats from
row to row (titles, labels, dates) is escaped and formatted once per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from html import escape
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe


def _day(value: Any, with_year: bool) -> str:
    return f"{value.day} {value:%b %Y}" if with_year else f"{value.day} {value:%b}"


def dashboard_rows(rows: Iterable[Any], dashboard_url: str) -> SafeString:
    """<tr> elements for the dashboard; `dashboard_url` is the team page (people/<id>/ below)."""
    tz = timezone.get_current_timezone()
    text = cache(escape)
    people = f'<th scope="row"><a href="{escape(dashboard_url)}people/'

    short = cache(lambda value: _day(value, False))
    due = cache(lambda value: f'<time datetime="{value.isoformat()}">{_day(value, True)}</time>')

    out = []
    for r in rows:
        cell = r.cell
        tier = cell.current_tier
        if r.last_activity:
            local = r.last_activity.astimezone(tz)
            last = f'<time datetime="{local.isoformat()}">{short(local.date())}</time>'
        else:
            last = '<span class="muted">never</span>'
        percent = cell.percent
        out.append(
            f'<tr class="row-{r.state}">{people}{r.person.pk}/">{text(r.name)}</a></th>'
            f"<td>{text(r.curriculum.title)}</td>"
            f'<td><span class="bar" title="{cell.done} of {cell.total}; expected {r.expected}%">'
            f'<span style="width: {percent}%"></span><i style="left: {r.expected}%"></i>'
            f"</span> {percent}%</td>"
            f"<td>{text(tier.label) if tier else '—'}</td>"
            f"<td>{last}</td>"
            f"<td>{r.notes}</td>"
            f"<td>{due(r.assignment.due_date)}</td>"
            f'<td><span class="state state-{r.state}">{text(r.state_label)}</span></td>'
            "</tr>"
        )
    # Safe: names, titles and labels are escaped; the rest are numbers, dates and fixed words.
    return mark_safe("\n".join(out))
