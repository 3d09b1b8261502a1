"""Settings for the two-beats test: production settings with one periodic task every second."""

from readlist.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {"tick": {"task": "notes.tasks.repair_tallies", "schedule": 1.0}}
CELERY_BEAT_MAX_LOOP_INTERVAL = 1
CELERY_REDBEAT_LOCK_TIMEOUT = 3
