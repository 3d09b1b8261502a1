"""An in-process cache for what a version kept by the database identifies (a curriculum's
content_version): a change gives a new key, so an entry is never stale, only unused."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class VersionedMemo:
    """The `size` most recently used values, per process (each gunicorn worker has its own).

    Not Django's cache: a local dict hit costs microseconds and no pickling, and correctness
    never depends on invalidating it, as the key carries the version."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()  # outside the lock: two threads may both make it; both are right
        self.put(key, value)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        """Keep `value` under `key`, in place of what was there."""
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
