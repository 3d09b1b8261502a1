"""Hooks the catalogue calls when it changes something people's own state hangs on.

The catalogue never imports a person's state (notes depends on curricula, not the other way);
the notes app registers here, in its `ready()`, what should happen to people's status and notes
when an entry moves to another resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_entry_moved: list[Callable[..., Any]] = []


def on_entry_moved(handler: Callable[..., Any]) -> None:
    if handler not in _entry_moved:
        _entry_moved.append(handler)


def entry_moved(
    *,
    actor: Any,
    entry: Any,
    old_resource_id: int | None,
    new_resource_id: int | None,
    follow: bool,
) -> None:
    """An entry now links to another resource; `follow` says whether people's work goes too.
    None on one side: the entry gained or lost its link (work on a link-less item is kept on
    the entry itself)."""
    for handler in _entry_moved:
        handler(
            actor=actor,
            entry=entry,
            old_resource_id=old_resource_id,
            new_resource_id=new_resource_id,
            follow=follow,
        )


_work_counts: list[Callable[..., Any]] = []


def on_work_counts(handler: Callable[..., Any]) -> None:
    if handler not in _work_counts:
        _work_counts.append(handler)


def work_counts(*, resource_ids: list[int], entry_ids: list[int]) -> dict[str, dict[int, dict]]:
    """How many people finished or wrote about each resource or link-less entry, so that an
    import preview can say whose work a retirement or a relink touches:
    {"resource": {id: {"done": n, "notes": n, "people": n}}, "entry": {...}}. Empty when no
    app answers (the catalogue alone knows nobody's work)."""
    out: dict[str, dict[int, dict]] = {"resource": {}, "entry": {}}
    for handler in _work_counts:
        found = handler(resource_ids=resource_ids, entry_ids=entry_ids)
        for kind in out:
            out[kind].update(found.get(kind, {}))
    return out
