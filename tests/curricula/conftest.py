"""Fixtures for the curricula tests (the worker ones live in workers_support.py)."""

from tests.curricula.workers_support import (  # noqa: F401
    _own_redis_keys,
    fast_checker,
    fetch_local,
    late,
)
