"""The catalogue depends on nothing above it: no module of curricula/ imports notes or teams."""

from __future__ import annotations

import ast
from pathlib import Path

import curricula

UPPER = ("notes", "teams")


def _imports_above(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found += [f"{path}:{node.lineno} {name}" for name in names if name.split(".")[0] in UPPER]
    return found


def test_catalogue_imports_neither_notes_nor_teams():
    root = Path(curricula.__file__).parent
    offenders = [hit for path in sorted(root.rglob("*.py")) for hit in _imports_above(path)]
    assert offenders == []
