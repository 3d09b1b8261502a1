"""Two recounts of the same person at once (PostgreSQL): the second waits for the first.

Without the table lock in notes.tallies.refresh the second transaction would delete the old
line, miss the first one's uncommitted new line, and then collide with it on insert; and a
notes recount that counted before taking the lock would miss the first one's note.
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


def race(first_write, second_write) -> None:
    """Run first_write in a transaction held open for a second, and second_write meanwhile;
    assert that the second finished only after the first committed, and that neither failed."""
    holding, errors, done_at = threading.Event(), [], {}

    def slow_first():
        try:
            with transaction.atomic():
                first_write()
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
            second_write()
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


def test_a_second_recount_waits_for_the_first_and_both_writes_count():
    reader = factories.make_user("reader")
    course = factories.make_curriculum()
    tier = factories.make_tier(course)
    first, second = (factories.make_entry(course, tier=tier, role="core") for _ in range(2))
    services.progress_set(actor=reader, entry=first, status="reading")  # a line exists
    race(
        lambda: services.progress_set(actor=reader, entry=first, status="done"),
        lambda: services.progress_set(actor=reader, entry=second, status="done"),
    )
    line = ProgressTally.objects.get(user=reader, curriculum=course)
    assert line.done == {tallies.group_key(tier.pk, "core"): 2}
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}


def test_two_notes_saved_at_once_both_count():
    writer = factories.make_user("writer")
    course = factories.make_curriculum()
    first, second = (factories.make_entry(course) for _ in range(2))
    services.progress_set(actor=writer, entry=first, status="reading")  # a line exists
    race(
        lambda: factories.make_note(writer, first, visibility="team"),
        lambda: factories.make_note(writer, second, visibility="team"),
    )
    assert ProgressTally.objects.get(user=writer, curriculum=course).notes == 2
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}
