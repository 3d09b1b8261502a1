"""The dashboard table's rows as HTML, built in Python.

A team of 200 people with three curricula is 600 rows; through the template engine they took
most of the page's time. Every piece of text goes through `escape`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _day(value: Any, with_year: bool) -> str:
    return f"{value.day} {value:%b %Y}" if with_year else f"{value.day} {value:%b}"


def dashboard_rows(rows: Iterable[Any], dashboard_url: str) -> SafeString:
    """<tr> elements for the dashboard; `dashboard_url` is the team page (people/<id>/ below)."""
    out = []
    for r in rows:
        cell = r.cell
        tier = cell.current_tier
        if r.last_activity:
            local = timezone.localtime(r.last_activity)
            last = f'<time datetime="{local.isoformat()}">{_day(local, False)}</time>'
        else:
            last = '<span class="muted">never</span>'
        due = r.assignment.due_date
        out.append(
            f'<tr class="row-{r.state}">'
            f'<th scope="row"><a href="{escape(dashboard_url)}people/{r.person.pk}/">'
            f"{escape(r.name)}</a></th>"
            f"<td>{escape(r.curriculum.title)}</td>"
            f'<td><span class="bar" title="{cell.done} of {cell.total}; expected {r.expected}%">'
            f'<span style="width: {cell.percent}%"></span><i style="left: {r.expected}%"></i>'
            f"</span> {cell.percent}%</td>"
            f"<td>{escape(tier.label) if tier else '—'}</td>"
            f"<td>{last}</td>"
            f"<td>{r.notes}</td>"
            f'<td><time datetime="{due.isoformat()}">{_day(due, True)}</time></td>'
            f'<td><span class="state state-{r.state}">{escape(r.state_label)}</span></td>'
            "</tr>"
        )
    # Safe: names, titles and labels are escaped; the rest are numbers, dates and fixed words.
    return mark_safe("\n".join(out))
