"""`manage.py tallies` and the nightly repair: report drift, recount, exit non-zero on --check."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from notes import services, tallies, tasks
from notes.models import ProgressTally
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(owner):
    course = factories.make_curriculum()
    tier = factories.make_tier(course)
    entries = [factories.make_entry(course, tier=tier, role="core") for _ in range(3)]
    for e in entries[:2]:
        services.progress_set(actor=owner, entry=e, status="done")
    return owner, course, tier


def run(*args: str) -> str:
    out = StringIO()
    call_command("tallies", *args, stdout=out)
    return out.getvalue()


def test_in_step_after_ordinary_writes(reader):
    assert "in step" in run("--check")


def test_check_fails_on_drift_and_a_recount_repairs_it(reader):
    owner, course, tier = reader
    ProgressTally.objects.filter(user=owner).update(done={})
    with pytest.raises(CommandError, match=r"differ from a fresh count \(1 in all\)"):
        run("--check")
    assert "ProgressTally: 1 line differs" in run()
    assert ProgressTally.objects.get(user=owner, curriculum=course).done == {
        tallies.group_key(tier.pk, "core"): 2
    }
    assert "in step" in run("--check")


def test_nightly_repair_recounts_and_says_what_drifted(reader, caplog):
    owner, course, _ = reader
    ProgressTally.objects.filter(user=owner).delete()
    assert tasks.repair_tallies() == {"ProgressTally": 1, "WeekTally": 0}
    assert "drifted" in caplog.text
    assert ProgressTally.objects.filter(user=owner, curriculum=course).exists()
    assert tasks.repair_tallies() == {"ProgressTally": 0, "WeekTally": 0}
