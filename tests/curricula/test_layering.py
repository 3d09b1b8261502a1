"""The catalogue's modules depend one way: tasks call services, services never import tasks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = [
    "curricula/verify.py",
    "curricula/services.py",
    "curricula/linkhealth/services.py",
    "curricula/linkhealth/selectors.py",
    "curricula/arxiv/services.py",
    "curricula/arxiv/client.py",
]


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at top level or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("module", SERVICES)
def test_services_never_import_tasks(module):
    assert "curricula.tasks" not in _imports(ROOT / module)


def test_no_import_circle_between_tasks_services_and_verify():
    modules = {
        "curricula.tasks": "curricula/tasks.py",
        "curricula.verify": "curricula/verify.py",
        "curricula.linkhealth.services": "curricula/linkhealth/services.py",
        "curricula.arxiv.services": "curricula/arxiv/services.py",
    }
    edges = {name: _imports(ROOT / path) & set(modules) for name, path in modules.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or reaches(nxt, goal, seen | {nxt}) for nxt in edges[start] - seen)

    assert [name for name in modules if reaches(name, name, set())] == []


def test_enqueueing_an_unregistered_job_says_what_is_missing():
    from curricula import jobs

    with pytest.raises(LookupError, match="no job registered as 'nothing'"):
        jobs.enqueue_on_commit("nothing", 1)
