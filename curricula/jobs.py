"""A small registry of background jobs, so services can enqueue work without importing tasks.

`curricula/tasks.py` registers its Celery tasks here when it is imported (the app's `ready()`
imports it); services call `enqueue_on_commit`, which runs the registered function once the
current transaction commits. Dependencies then point one way: tasks → services → jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

_registry: dict[str, Callable[..., Any]] = {}


def register(name: str, enqueue: Callable[..., Any]) -> None:
    """Name the function that queues a job (usually a task's `delay`)."""
    _registry[name] = enqueue


def enqueue_on_commit(name: str, *args: Any) -> None:
    """Queue the job `name` after the current transaction commits (at once outside one)."""
    try:
        enqueue = _registry[name]
    except KeyError:
        raise LookupError(f"no job registered as {name!r} (is curricula.tasks imported?)") from None
    transaction.on_commit(lambda: enqueue(*args))
