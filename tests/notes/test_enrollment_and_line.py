"""notes.progress.read_enrollment_and_line: the curriculum page's enrollment and tally line
in one query must agree with reading each alone."""

from __future__ import annotations

import datetime as dt

import pytest

from notes import progress
from notes.models import Enrollment
from notes.services import enrollment_follow, enrollment_unfollow, progress_set

pytestmark = pytest.mark.django_db


def alone(user, curriculum):
    enrollment = Enrollment.objects.filter(user=user, curriculum=curriculum).first()
    line = progress.read_lines([user.pk], [curriculum.pk]).get(
        (user.pk, curriculum.pk), progress.NO_LINE
    )
    return enrollment, line


def test_agrees_with_reading_each_alone(owner, curriculum, entries, django_assert_num_queries):
    def check():
        with django_assert_num_queries(1):
            enrollment, line = progress.read_enrollment_and_line(owner.pk, curriculum.pk)
        expected_enrollment, expected_line = alone(owner, curriculum)
        assert line == expected_line
        if expected_enrollment is None:
            assert enrollment is None
        else:
            assert enrollment is not None
            assert (enrollment.pk, enrollment.source, enrollment.started_at) == (
                expected_enrollment.pk,
                expected_enrollment.source,
                expected_enrollment.started_at,
            )
            assert isinstance(enrollment.started_at, dt.datetime)
        return enrollment, line

    assert check() == (None, progress.NO_LINE)  # neither
    enrollment_follow(actor=owner, curriculum=curriculum)
    enrollment, line = check()  # enrolled, nothing done
    assert enrollment is not None and enrollment.curriculum_id == curriculum.pk
    progress_set(actor=owner, entry=entries[0], status="done")
    enrollment, line = check()  # both
    assert sum(line.done.values()) == 1
    enrollment_unfollow(actor=owner, curriculum=curriculum)
    enrollment, line = check()  # a line without an enrollment: progress is kept
    assert enrollment is None and sum(line.done.values()) == 1
