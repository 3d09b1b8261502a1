"""Django's Redis cache that keeps answering when Redis is away, from a cache on local disk.

The cache holds only what may be lost: sign-in rate-limit counters and held import previews.
With Redis down, plain RedisCache raises inside the request and sign-in returns 500; this one
logs a warning, serves from the fallback (so rate limits still count, per machine) and tries
Redis again after a short pause rather than paying a connect timeout on every call.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, OSError)
# After a failure, Redis is left alone this long (seconds) before it is tried again.
RETRY_AFTER = 5.0

_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class ResilientRedisCache(RedisCache):
    """RedisCache; while Redis fails, FileBasedCache at params["FALLBACK_LOCATION"]."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.fallback = FileBasedCache(
            params["FALLBACK_LOCATION"],
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
            },
        )
        self._down_until = 0.0
        self._lock = threading.Lock()

    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _tripped(self, operation: str, exc: Exception) -> None:
        with self._lock:
            first = not self.redis_down()
            self._down_until = time.monotonic() + RETRY_AFTER
        if first:
            logger.warning(
                "Redis cache unavailable (%s: %s); using the local fallback cache for %ss",
                operation,
                exc,
                RETRY_AFTER,
            )


def _guarded(name: str):
    redis_method = getattr(RedisCache, name)

    def method(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_down():
            try:
                return redis_method(self, *args, **kwargs)
            except REDIS_DOWN as exc:
                self._tripped(name, exc)
        return getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


for _name in _OPERATIONS:
    setattr(ResilientRedisCache, _name, _guarded(_name))
