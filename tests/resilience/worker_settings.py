"""Settings for the killed-worker test's workers: production settings, except that kombu looks
for unacknowledged tasks past their visibility timeout every 0.2 s, not every 100 s (its
default interval times its throttle). A worker started while a dead one's task is still
invisible then takes it back as soon as the timeout passes, as production's would within
100 s; the test need not wait for the timeout before starting the next worker."""

from readlist.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 0.2,
    "unacked_restore_throttle": 1,
}
