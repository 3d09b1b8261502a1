"""A model field for derived JSON that Python reads many rows at a time."""

from __future__ import annotations

from typing import Any

import orjson
from django.db import models


class TextJSONField(models.TextField):
    """JSON kept as plain text and parsed with orjson.

    For notes' tallies, which a team's dashboard reads 600 at a time: PostgreSQL re-serialises
    jsonb on every read, where it hands back text as stored, and orjson parses several times
    faster than the json module (on the bench/dashboard.py data, 600 lines: ~12 ms read as
    jsonb through psycopg against ~2 ms as text through orjson). Nothing queries inside it.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else orjson.loads(value)

    def to_python(self, value: Any) -> Any:
        return orjson.loads(value) if isinstance(value, str | bytes) else value

    def get_prep_value(self, value: Any) -> Any:
        return None if value is None else orjson.dumps(value).decode()

    def value_to_string(self, obj: Any) -> str:
        return self.get_prep_value(self.value_from_object(obj))
