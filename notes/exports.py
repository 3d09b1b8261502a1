"""A member's own reading exported: BibTeX and CSL-JSON of the papers in the curricula they
follow, with their status and their note on each (curricula/exporter.py writes the records,
this module adds what is theirs), and a Markdown reading list. Only their own notes."""

from __future__ import annotations

import json
from typing import Any

from django.template.loader import render_to_string

from curricula import exporter
from curricula.models import Curriculum, Entry
from notes import selectors
from notes.models import Note, Status

FORMATS = {
    "bib": "application/x-bibtex; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
LABELS = dict(Status.choices)


class Mine:
    """My status and note on each entry of these curricula: three queries for all of them."""

    def __init__(self, user: Any, curricula: list[Curriculum]) -> None:
        ids = [c.pk for c in curricula]
        self.maps = selectors.status_maps(user, ids)
        self.notes: dict[tuple[str, int], str] = {}
        rows = (
            Note.objects.filter(user=user, kind__in=[Note.Kind.RESOURCE, Note.Kind.ENTRY])
            .exclude(body="")
            .values_list("kind", "resource_id", "entry_id", "body")
        )
        for kind, resource_id, entry_id, body in rows:
            key = ("r", resource_id) if kind == Note.Kind.RESOURCE else ("e", entry_id)
            self.notes[key] = body

    def status(self, entry: Entry) -> str:
        return selectors.status_of(entry, self.maps)

    def note(self, entry: Entry) -> str:
        key = ("r", entry.resource_id) if entry.resource_id else ("e", entry.pk)
        return self.notes.get(key, "")

    def __call__(self, entry: Entry) -> dict[str, str]:
        return {"status": LABELS[self.status(entry)].lower(), "note": self.note(entry)}


def export(user: Any, curricula: list[Curriculum], fmt: str) -> str:
    """My reading of these curricula as `fmt` (a key of FORMATS)."""
    mine = Mine(user, curricula)
    if fmt == "bib":
        return "\n".join(exporter.export_bibtex(c, mine) for c in curricula) or "\n"
    if fmt == "json":
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        for c in curricula:
            for item in exporter.csl_items(c, mine):
                if item["id"] not in seen:  # a paper in two curricula is one record
                    seen.add(item["id"])
                    items.append(item)
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        sections = []
        for c in curricula:
            entries = list(
                c.entries.active().select_related("resource", "tier").order_by("position", "pk")
            )
            rows = [
                {
                    "entry": e,
                    "status": mine.status(e),
                    "label": LABELS[mine.status(e)],
                    "note": mine.note(e),
                }
                for e in entries
            ]
            sections.append({"curriculum": c, "rows": rows})
        return render_to_string("notes/export_reading.md", {"sections": sections, "user": user})
    raise ValueError(f"unknown format {fmt!r}")
