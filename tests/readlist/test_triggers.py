"""Every trigger the migrations make on SQLite is still there after all of them.

SQLite alters a table by building it anew, which drops the old table's triggers: a later
migration that adds a column can silently undo an earlier one's trigger (curricula 0017 did,
until 0018 made it again). The migrations that make SQLite triggers keep them in a module-level
SQLITE list; this reads their names there and looks for each in the migrated test database.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's table rebuilds"),
]

REPO = Path(__file__).resolve().parents[2]


def sqlite_triggers_the_migrations_make() -> set[str]:
    names = set()
    for path in sorted(REPO.glob("*/migrations/0*.py")):
        module = importlib.import_module(f"{path.parent.parent.name}.migrations.{path.stem}")
        statements = list(getattr(module, "SQLITE", []))
        if isinstance(getattr(module, "SQLITE_TRIGGER", None), str):
            statements.append(module.SQLITE_TRIGGER)
        for sql in statements:
            names.update(re.findall(r"CREATE TRIGGER (?:IF NOT EXISTS )?(\w+)", sql))
    return names


def test_every_sqlite_trigger_survives_the_later_migrations():
    made = sqlite_triggers_the_migrations_make()
    assert {"curricula_papers_changed", "notes_progresstally_board_update"} <= made
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    assert made - present == set()
