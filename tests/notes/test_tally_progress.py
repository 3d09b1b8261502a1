"""Each tally line also holds what its curriculum's completion rule makes of it (the figures a
team's dashboard sorts, filters and counts by in the database). After every kind of write those
stored figures equal both a recount from scratch (tallies.drift) and the Cell the member's
pages compute from the line (notes.progress.progress_many)."""

from __future__ import annotations

import pytest

from curricula.models import Revision
from notes import tallies
from notes.models import ProgressTally, Status
from notes.progress import progress_many
from notes.services import NoteTarget, note_save, progress_set
from tests import factories

pytestmark = pytest.mark.django_db


def figures() -> dict:
    return {
        (u, c): rest
        for u, c, *rest in ProgressTally.objects.values_list(
            "user_id", "curriculum_id", *tallies.PROGRESS_FIELDS
        )
    }


def check(w) -> dict:
    """In step with a fresh count, and equal to the members' own computation; returns them."""
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}
    stored = figures()
    curricula = [type(w.steps).objects.get(pk=c.pk) for c in (w.steps, w.count)]
    cells = progress_many([p.pk for p in w.people], curricula, pairs=sorted(stored))
    for key, (finished, done, total, percent, tier_id) in stored.items():
        cell = cells[key]
        assert (done, total, percent) == (cell.done, cell.total, cell.percent), key
        assert tier_id == (cell.current_tier.pk if cell.current_tier else None), key
        assert finished >= 0
    return stored


@pytest.fixture
def w(db):
    """Two curricula of two tiers, one by steps (core + practitioner + summary), one by count
    (every entry); ann has read in both, ben one entry of the second, cat only wrote a note."""
    from types import SimpleNamespace

    steps = factories.make_curriculum(completion_rule="core_practitioner_summary")
    count = factories.make_curriculum(completion_rule="all")
    x = SimpleNamespace(steps=steps, count=count)
    x.tiers = {}
    x.entries = {}
    for c in (steps, count):
        t1, t2 = factories.make_tier(c, 1), factories.make_tier(c, 2)
        x.tiers[c.pk] = (t1, t2)
        x.entries[c.pk] = [
            factories.make_entry(c, tier=t, role=role)
            for t in (t1, t2)
            for role in ("core", "practitioner", "optional")
        ]
    x.ann, x.ben, x.cat = (factories.make_user() for _ in range(3))
    x.people = [x.ann, x.ben, x.cat]
    for e in x.entries[steps.pk][:2] + x.entries[count.pk][:3]:
        progress_set(actor=x.ann, entry=e, status=Status.DONE)
    progress_set(actor=x.ben, entry=x.entries[count.pk][3], status=Status.DONE)
    note_save(
        actor=x.cat,
        target=NoteTarget.for_entry(x.entries[count.pk][4]),
        body="hm",
        visibility="team",
        base_version=0,
    )
    return x


def test_the_lines_hold_the_rules_figures(w):
    stored = check(w)
    first, second = w.tiers[w.count.pk]
    # Every entry (optional ones aside: four): ann read all three of tier 1, the optional one
    # too; ben one in tier 2; cat's note made a line with nothing done.
    assert stored[(w.ann.pk, w.count.pk)] == [3, 2, 4, 50, second.pk]
    assert stored[(w.ben.pk, w.count.pk)] == [1, 1, 4, 25, first.pk]
    assert stored[(w.cat.pk, w.count.pk)] == [0, 0, 4, 0, first.pk]


def test_a_status_change_moves_the_figures(w):
    before = check(w)[(w.ben.pk, w.count.pk)]
    progress_set(actor=w.ben, entry=w.entries[w.count.pk][0], status=Status.DONE)
    after = check(w)[(w.ben.pk, w.count.pk)]
    assert after[:4] == [2, 2, 4, 50] and after != before


def test_a_summary_changes_the_steps_of_the_rule_that_asks_for_one(w):
    key = (w.ann.pk, w.steps.pk)
    before = check(w)[key]
    note_save(
        actor=w.ann,
        target=NoteTarget.for_tier(w.tiers[w.steps.pk][0]),
        body="summary",
        visibility="private",
        base_version=0,
    )
    after = check(w)[key]
    assert after[1] == before[1] + 1  # the summary step of tier 1


def test_an_entry_added_changes_everyones_total(w):
    factories.make_entry(w.count, tier=w.tiers[w.count.pk][1], role="core")
    stored = check(w)
    assert {stored[(p.pk, w.count.pk)][2] for p in w.people} == {5}


def test_an_entry_retired_changes_everyones_total(w):
    entry = w.entries[w.count.pk][4]  # tier 2's practitioner entry
    entry.retired_in = Revision.objects.create(
        curriculum=w.count, number=2, sha256="x", source_text=""
    )
    entry.save()
    stored = check(w)
    assert {stored[(p.pk, w.count.pk)][2] for p in w.people} == {3}


def test_an_optional_tier_and_a_changed_rule_are_applied_again(w):
    first, _ = w.tiers[w.count.pk]
    first.optional = True
    first.save()
    stored = check(w)
    assert stored[(w.ann.pk, w.count.pk)][1:3] == [0, 2]  # tier 1 no longer counts
    w.count.completion_rule = "all_core"
    w.count.save()
    stored = check(w)
    assert stored[(w.ben.pk, w.count.pk)][1:3] == [1, 1]


def test_tiers_reordered_move_the_current_tier(w):
    first, second = w.tiers[w.count.pk]
    assert check(w)[(w.ben.pk, w.count.pk)][4] == first.pk
    first.position, second.position = 2, 1
    first.save()
    second.save()
    assert check(w)[(w.ben.pk, w.count.pk)][4] == second.pk


def test_a_deleted_tier_is_no_ones_current_tier(w):
    first, second = w.tiers[w.count.pk]
    first.delete()
    stored = check(w)
    assert stored[(w.ben.pk, w.count.pk)][4] == second.pk


def test_saving_a_tier_or_curriculum_without_rule_changes_recounts_nothing(
    w, django_assert_max_num_queries
):
    first, _ = w.tiers[w.count.pk]
    first.title = "Renamed"
    with django_assert_max_num_queries(2):  # the look at what it was, and the save
        first.save()
    with django_assert_max_num_queries(1):
        first.save(update_fields=["title"])
    check(w)
