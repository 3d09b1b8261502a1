"""Fixtures for the resilience tests (the workers' local-server fixtures, shared)."""

from tests.curricula.workers_support import _own_redis_keys, fast_checker, fetch_local  # noqa: F401
