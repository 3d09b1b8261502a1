"""The Celery application, configured from Django settings (CELERY_* names)."""

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readlist.settings")

app = Celery("readlist")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any):
    """Celery router: the queue for `name` from settings.READLIST_CELERY_QUEUES, read at call
    time (tests point everything at a queue of their own by emptying it); None = default."""
    from django.conf import settings

    queue = settings.READLIST_CELERY_QUEUES.get(name)
    return {"queue": queue} if queue else None


def all_queues() -> list[str]:
    """Every queue a single worker must consume to do all the work (`make run`)."""
    from django.conf import settings

    return sorted({app.conf.task_default_queue, *settings.READLIST_CELERY_QUEUES.values()})


def max_countdown() -> int:
    """The longest a retry may wait: a task waiting for its ETA sits unacknowledged in a worker,
    and past the broker's visibility timeout Redis would give it to a second worker too."""
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    return max(10, min(3600, options.get("visibility_timeout", 3600) - 60))
