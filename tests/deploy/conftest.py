"""The test's own Redis (tests/resilience/conftest.py) for the deploy tests too."""

from tests.resilience.conftest import own_redis  # noqa: F401
