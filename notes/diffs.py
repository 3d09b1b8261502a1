"""Line diffs between two note texts, as rows a template can show (escaped by the template)."""

from __future__ import annotations

import difflib


def lines(old: str, new: str) -> list[tuple[str, str]]:
    """[(kind, text)] with kind "add", "del", "same" or "gap"."""
    out: list[tuple[str, str]] = []
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2)
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(("gap", "…"))
        elif line.startswith("+"):
            out.append(("add", line[1:]))
        elif line.startswith("-"):
            out.append(("del", line[1:]))
        else:
            out.append(("same", line[1:]))
    return out
