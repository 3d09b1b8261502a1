"""Queue Celery work from a request without letting a broker outage break the request.

A publish that fails is not lost: each caller says where the work waits instead (for link
checks and arXiv fetches, the resource is left due, and the scheduled stale-first pass of
curricula/tasks.py picks it up within READLIST_LINKCHECK_EVERY_SECONDS once the broker is back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BROKER_DOWN = (KombuOperationalError, RedisError, OSError)
# One quick retry for a blip; a broker that is down should not hold the request for long.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0, "interval_max": 0.2}


def publish(task: Any, *args: Any, fallback: Callable[[], None] | None = None) -> bool:
    """Publish `task(*args)` now; on a broker failure log it, call `fallback`, return False."""
    try:
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY)
    except BROKER_DOWN as exc:
        logger.warning("Could not queue %s (broker unavailable: %s); deferred", task.name, exc)
        if fallback is not None:
            fallback()
        return False
    return True
