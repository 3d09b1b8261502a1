"""CSV exports of the dashboard and of one person's detail, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The value as text, with a leading quote when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def to_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    return "".join(stream_csv(header, rows, lines=1 << 62))


def stream_csv(header: list[str], rows: Iterable[Iterable[Any]], lines: int = 500) -> Iterator[str]:
    """The CSV text `lines` rows at a time, for a response that sends it as it is written."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for n, row in enumerate(rows, 1):
        writer.writerow([safe_cell(v) for v in row])
        if n % lines == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


DASHBOARD_HEADER = [
    "person",
    "username",
    "email",
    "curriculum",
    "progress_percent",
    "done",
    "required",
    "entries_finished",
    "expected_percent",
    "current_tier",
    "last_activity",
    "notes",
    "start_date",
    "due_date",
    "state",
]


def dashboard_rows(rows: Iterable[Any]) -> Iterable[list[Any]]:
    for r in rows:
        yield [
            r.name,
            r.person.get_username(),
            r.person.email,
            r.curriculum.title,
            r.cell.percent,
            r.cell.done,
            r.cell.total,
            r.finished,
            r.expected,
            str(r.cell.current_tier or ""),
            r.last_activity.isoformat(timespec="minutes") if r.last_activity else "",
            r.notes,
            r.assignment.start_date.isoformat(),
            r.assignment.due_date.isoformat(),
            r.state_label,
        ]


MEMBER_HEADER = ["curriculum", "tier", "topic", "entry", "role", "status", "finished_at"]


def member_rows(entries: Iterable[Any]) -> Iterable[list[Any]]:
    """From selectors.member_entries' lines."""
    for e in entries:
        yield [
            e.curriculum,
            e.tier,
            e.topic,
            e.title,
            e.role,
            e.status,
            e.finished.isoformat(timespec="minutes") if e.finished else "",
        ]
