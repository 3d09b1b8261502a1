"""Two recounts of the same person at once (PostgreSQL): the second waits for the first.

Without the table lock in notes.tallies.refresh the second transaction would delete the old
line, miss the first one's uncommitted new line, and then collide with it on insert.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from notes import services, tallies
from notes.models import ProgressTally
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has a single writer anyway"
    ),
]


def test_a_second_recount_waits_for_the_first_and_both_writes_count():
    reader = factories.make_user("reader")
    course = factories.make_curriculum()
    tier = factories.make_tier(course)
    first, second = (factories.make_entry(course, tier=tier, role="core") for _ in range(2))
    services.progress_set(actor=reader, entry=first, status="reading")  # a line exists
    holding, errors, done_at = threading.Event(), [], {}

    def slow_first():
        try:
            with transaction.atomic():
                services.progress_set(actor=reader, entry=first, status="done")
                holding.set()
                time.sleep(1.0)  # keep the transaction, and the lock, open
            done_at["first"] = time.monotonic()
        except Exception as exc:
            errors.append(exc)
        finally:
            holding.set()
            connections.close_all()

    def then_second():
        holding.wait(10)
        try:
            services.progress_set(actor=reader, entry=second, status="done")
            done_at["second"] = time.monotonic()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=slow_first), threading.Thread(target=then_second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert done_at["second"] >= done_at["first"]  # it waited for the first to commit
    line = ProgressTally.objects.get(user=reader, curriculum=course)
    assert line.done == {tallies.group_key(tier.pk, "core"): 2}
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}
