"""The tallies (notes.tallies) equal a fresh count after every write path that changes them.

Each test builds a little world, makes ONE write, and checks both that nothing drifted and that
the stored lines moved as they should (so a disconnected signal fails here, not on a dashboard).
"""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.db.models import RestrictedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curricula.models import Entry, Revision, TitleCheck
from curricula.services import curriculum_import
from curricula.verify import entry_accept_suggestion
from notes import tallies
from notes.models import Note, Progress, ProgressTally, Status, WeekTally
from notes.services import NoteTarget, note_restore, note_save, progress_set
from tests import factories

pytestmark = pytest.mark.django_db

K = tallies.group_key
OPT_ID = "2205.01068"


def in_step() -> None:
    assert tallies.drift() == {"ProgressTally": 0, "WeekTally": 0}


def later_migrations() -> None:
    """What `migrate` runs after the backfills tested below: the rule's figures (0012)."""
    importlib.import_module("notes.migrations.0012_tally_progress").count_progress(apps, None)


def stored() -> dict:
    """(user, curriculum) → done per group, as the tallies hold them."""
    return {(t.user_id, t.curriculum_id): t.done for t in ProgressTally.objects.all()}


def mark(user, entry, status: str = Status.DONE) -> Progress:
    return progress_set(actor=user, entry=entry, status=status)


def revision(curriculum) -> Revision:
    return Revision.objects.create(curriculum=curriculum, number=9, sha256="x", source_text="")


@pytest.fixture
def w(db):
    """Curricula a (tiers a1, a2) and b (tier b1) share a paper; a has a link-less talk; ann
    finished the paper and the talk and is reading `plain`; ben finished b's tier-less `solo`."""
    a, b = factories.make_curriculum(), factories.make_curriculum()
    a1, a2, b1 = factories.make_tier(a, 1), factories.make_tier(a, 2), factories.make_tier(b, 1)
    paper = factories.make_resource()
    x = SimpleNamespace(a=a, b=b, a1=a1, a2=a2, b1=b1, paper=paper)
    x.shared_a = factories.make_entry(a, tier=a1, role="core", resource=paper)
    x.plain = factories.make_entry(a, tier=a2, role="practitioner")
    x.talk = factories.make_entry(a, tier=a2, role="core", resource=None)
    x.shared_b = factories.make_entry(b, tier=b1, role="core", resource=paper)
    x.solo = factories.make_entry(b, role="optional")
    x.ann, x.ben, x.cat = (factories.make_user() for _ in range(3))
    mark(x.ann, x.shared_a)
    mark(x.ann, x.talk)
    mark(x.ann, x.plain, Status.READING)
    mark(x.ben, x.solo)
    in_step()
    return x


def baseline(x) -> dict:
    return {
        (x.ann.pk, x.a.pk): {K(x.a1.pk, "core"): 1, K(x.a2.pk, "core"): 1},
        (x.ann.pk, x.b.pk): {K(x.b1.pk, "core"): 1},
        (x.ben.pk, x.b.pk): {K(None, "optional"): 1},
    }


def test_the_fixture_is_counted_as_expected(w):
    assert stored() == baseline(w)


# --- 1. progress_set ----------------------------------------------------------------------


def test_new_done_lands_under_its_tier_and_role(w):
    mark(w.ben, w.plain)
    in_step()
    assert stored()[(w.ben.pk, w.a.pk)] == {K(w.a2.pk, "practitioner"): 1}


def test_done_back_to_reading_drops_the_count_and_moves_changed_at(w):
    before = ProgressTally.objects.get(user=w.ann, curriculum=w.b).changed_at
    progress = mark(w.ann, w.shared_a, Status.READING)
    in_step()
    assert stored()[(w.ann.pk, w.a.pk)] == {K(w.a2.pk, "core"): 1}
    assert stored()[(w.ann.pk, w.b.pk)] == {}
    after = ProgressTally.objects.get(user=w.ann, curriculum=w.b).changed_at
    assert after == progress.updated_at and after > before


def test_a_paper_listed_by_two_curricula_counts_in_both(w):
    mark(w.cat, w.shared_b)
    in_step()
    assert stored()[(w.cat.pk, w.a.pk)] == {K(w.a1.pk, "core"): 1}
    assert stored()[(w.cat.pk, w.b.pk)] == {K(w.b1.pk, "core"): 1}


def test_a_link_less_entry_counts_only_where_it_is_listed(w):
    mark(w.cat, w.talk)
    in_step()
    assert stored()[(w.cat.pk, w.a.pk)] == {K(w.a2.pk, "core"): 1}
    assert (w.cat.pk, w.b.pk) not in stored()


# --- 2. Progress deleted ------------------------------------------------------------------


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_progress_deleted_directly(w, how):
    rows = Progress.objects.filter(user=w.ann, resource=w.paper)
    rows.get().delete() if how == "instance" else rows.delete()
    in_step()
    assert stored()[(w.ann.pk, w.a.pk)] == {K(w.a2.pk, "core"): 1}
    assert (w.ann.pk, w.b.pk) not in stored()


# --- 3-5. Entries created, moved, saved ---------------------------------------------------


def test_a_new_entry_for_something_already_finished_counts(w):
    factories.make_entry(w.a, tier=w.a1, role="optional", resource=w.solo.resource)
    in_step()
    assert stored()[(w.ben.pk, w.a.pk)] == {K(w.a1.pk, "optional"): 1}


def _save(entry, **fields) -> None:
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save()


def _retire(x) -> None:
    _save(x.shared_a, retired_in=revision(x.a))


MOVES = {  # change → (the write, the lines it changes from the baseline)
    "tier": (
        lambda x: _save(x.shared_a, tier=x.a2),
        lambda x: {(x.ann.pk, x.a.pk): {K(x.a2.pk, "core"): 2}},
    ),
    "role": (
        lambda x: _save(x.shared_a, role="optional"),
        lambda x: {(x.ann.pk, x.a.pk): {K(x.a1.pk, "optional"): 1, K(x.a2.pk, "core"): 1}},
    ),
    "curriculum": (
        lambda x: _save(x.talk, curriculum=x.b, tier=None),
        lambda x: {
            (x.ann.pk, x.a.pk): {K(x.a1.pk, "core"): 1},
            (x.ann.pk, x.b.pk): {K(x.b1.pk, "core"): 1, K(None, "core"): 1},
        },
    ),
    "resource": (
        lambda x: _save(x.shared_a, resource=x.solo.resource),
        lambda x: {
            (x.ann.pk, x.a.pk): {K(x.a2.pk, "core"): 1},
            (x.ben.pk, x.a.pk): {K(x.a1.pk, "core"): 1},
        },
    ),
    "retired": (_retire, lambda x: {(x.ann.pk, x.a.pk): {K(x.a2.pk, "core"): 1}}),
}


@pytest.mark.parametrize("change", list(MOVES))
def test_an_entry_moved_is_recounted_where_it_was_and_where_it_is(w, change):
    move, expected = MOVES[change]
    move(w)
    in_step()
    assert stored() == baseline(w) | expected(w)


def _tally_queries(save) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        save()
    return [q["sql"] for q in ctx.captured_queries if "notes_progresstally" in q["sql"]]


def test_saving_fields_the_tallies_ignore_recounts_nothing(w):
    w.shared_a.title, w.shared_a.tier = "Renamed", w.a2  # the tier change is not saved
    assert _tally_queries(lambda: w.shared_a.save(update_fields=["title"])) == []
    in_step()
    assert stored() == baseline(w)
    # The same instance saved with a field that matters does recount (the check above can fail).
    assert _tally_queries(lambda: w.shared_a.save(update_fields=["tier"])) != []
    in_step()
    assert stored()[(w.ann.pk, w.a.pk)] == {K(w.a2.pk, "core"): 2}


# --- 6. Accepting a title check's suggestion ----------------------------------------------


@pytest.mark.parametrize("follow", [True, False], ids=["work-follows", "work-stays"])
def test_accepting_a_suggestion_moves_the_counts_to_the_suggested_paper(w, follow):
    opt = factories.make_resource(f"https://arxiv.org/abs/{OPT_ID}", kind="paper")
    mark(w.ben, factories.make_entry(w.b, tier=w.b1, role="practitioner", resource=opt))
    TitleCheck.objects.create(
        entry=w.shared_a,
        status=TitleCheck.Status.MISMATCH,
        suggestions=[{"arxiv_id": OPT_ID, "title": w.shared_a.title, "score": 0.9}],
    )
    moved = entry_accept_suggestion(actor=None, entry=w.shared_a, arxiv_id=OPT_ID, follow=follow)
    assert moved == opt
    in_step()
    # Following, ann's Done goes with the entry to the paper it was meant to link to.
    ann = {K(w.a1.pk, "core"): 1, K(w.a2.pk, "core"): 1} if follow else {K(w.a2.pk, "core"): 1}
    assert stored()[(w.ann.pk, w.a.pk)] == ann
    assert stored()[(w.ben.pk, w.a.pk)] == {K(w.a1.pk, "core"): 1}


# --- 7-9. Deletes -------------------------------------------------------------------------


def test_a_deleted_tier_moves_its_counts_to_no_tier(w):
    w.a1.delete()
    in_step()
    assert stored()[(w.ann.pk, w.a.pk)] == {K(None, "core"): 1, K(w.a2.pk, "core"): 1}


@pytest.mark.parametrize(
    ("name", "left"), [("talk", "a1"), ("shared_a", "a2")], ids=["link-less", "linked"]
)
def test_an_entry_deleted(w, name, left):
    getattr(w, name).delete()
    in_step()
    assert stored()[(w.ann.pk, w.a.pk)] == {K(getattr(w, left).pk, "core"): 1}
    assert stored()[(w.ann.pk, w.b.pk)] == {K(w.b1.pk, "core"): 1}


def test_a_deleted_user_takes_their_tallies_along(w):
    WeekTally.objects.get(user=w.ben)  # ben has one to lose
    w.ben.delete()
    in_step()
    assert not ProgressTally.objects.filter(user_id=w.ben.pk).exists()
    assert not WeekTally.objects.filter(user_id=w.ben.pk).exists()
    assert (w.ann.pk, w.b.pk) in stored()


def test_a_deleted_curriculum_takes_its_tallies_along(w):
    w.a.delete()
    in_step()
    assert not WeekTally.objects.filter(curriculum_id=w.a.pk).exists()
    assert stored() == {k: v for k, v in baseline(w).items() if k[1] != w.a.pk}


# --- 10. Re-import ------------------------------------------------------------------------


def test_a_reimport_that_retires_a_finished_entry_drops_it(owner):
    text = "# L\n\n## Tier 1 — Basics\n\n### A\n\n- [a](https://example.org/a)\n"
    more = text + "- [b](https://example.org/b)\n"
    curriculum = curriculum_import(actor=None, text=more, slug="shrink").revision.curriculum
    tier = curriculum.tiers.get()
    for entry in curriculum.entries.all():
        mark(owner, entry)
    assert stored() == {(owner.pk, curriculum.pk): {K(tier.pk, ""): 2}}
    result = curriculum_import(actor=None, text=text, slug="shrink")
    assert result.summary["entries"]["retired"] == 1
    in_step()
    assert stored() == {(owner.pk, curriculum.pk): {K(tier.pk, ""): 1}}
    assert WeekTally.objects.get(user=owner).done == 1


# --- 11-12. Checking, repairing and the migration's backfill ------------------------------


def test_drift_finds_corruption_and_repair_fixes_it(w):
    ProgressTally.objects.update(done={})
    WeekTally.objects.filter(user=w.ben).delete()
    found = {"ProgressTally": 3, "WeekTally": 1}
    assert tallies.drift() == found
    assert tallies.repair() == found
    in_step()
    assert stored() == baseline(w)
    assert tallies.repair() == {"ProgressTally": 0, "WeekTally": 0}


def test_the_migration_backfill_counts_what_refresh_counts(w):
    mark(w.cat, w.shared_b, Status.READING)
    migration = importlib.import_module("notes.migrations.0003_tallies")
    ProgressTally.objects.all().delete()
    WeekTally.objects.all().delete()
    assert tallies.drift()["ProgressTally"] == 5
    migration.count_what_is_stored(apps, None)
    later_migrations()
    in_step()
    assert stored() == baseline(w) | {(w.cat.pk, w.a.pk): {}, (w.cat.pk, w.b.pk): {}}


# --- 13. Weeks ----------------------------------------------------------------------------


# Instants where the local week and UTC's disagree: Monday 02:35 UTC is still Sunday in Los
# Angeles, Sunday 12:30 UTC is already Monday in Auckland. The run's own clock is a third.
INSTANTS = ["2026-11-30T02:35:00Z", "2026-11-29T12:30:00Z", None]


@pytest.fixture
def zoned_w(request, settings):
    """The world of `w`, built after the site's time zone is set: the tallies count weeks in
    the zone they were written in (changing TIME_ZONE later needs `manage.py tallies`)."""
    zone, instant = request.param
    settings.TIME_ZONE = zone
    if instant is None:
        yield request.getfixturevalue("w")
        return
    with time_machine.travel(instant, tick=False):
        yield request.getfixturevalue("w")


@pytest.mark.parametrize(
    "zoned_w",
    [
        (zone, instant)
        for zone in ["UTC", "Pacific/Auckland", "America/Los_Angeles"]
        for instant in INSTANTS
    ],
    indirect=True,
)
def test_finished_in_two_weeks_lands_in_two_week_lines(zoned_w):
    w = zoned_w
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 14)
    # Late on a Sunday, local time: the week is the local one, not UTC's.
    sunday_night = timezone.make_aware(dt.datetime.combine(monday, dt.time(23, 30)))
    sunday_night -= dt.timedelta(days=1)
    earlier = mark(w.cat, w.plain)
    _save(earlier, finished_at=sunday_night)
    later = mark(w.cat, w.shared_a)
    _save(later, finished_at=sunday_night + dt.timedelta(hours=1))  # Monday, 00:30 local
    in_step()
    weeks = dict(WeekTally.objects.filter(user=w.cat, curriculum=w.a).values_list("week", "done"))
    assert weeks == {monday - dt.timedelta(days=7): 1, monday: 1}
    assert WeekTally.objects.get(user=w.cat, curriculum=w.b).week == monday


# --- 14. Notes ----------------------------------------------------------------------------


def write(user, target: NoteTarget, body: str = "A thought", visibility: str = "team") -> Note:
    current = Note.objects.filter(user=user, **target.lookup()).first()
    base = current.version if current else 0
    note, _ = note_save(
        actor=user, target=target, body=body, visibility=visibility, base_version=base
    )
    return note


def noted() -> dict:
    """(user, curriculum) → (notes, latest saved, summaries), as the tallies hold them."""
    return {
        (t.user_id, t.curriculum_id): (t.notes, t.noted_at, t.summaries)
        for t in ProgressTally.objects.all()
    }


def test_a_note_makes_a_line_where_nothing_was_read(w):
    note = write(w.cat, NoteTarget.for_entry(w.plain))
    in_step()
    assert noted()[(w.cat.pk, w.a.pk)] == (1, note.updated_at, {})
    assert stored()[(w.cat.pk, w.a.pk)] == {}


def test_a_private_note_is_not_counted_and_makes_no_line(w):
    write(w.cat, NoteTarget.for_entry(w.plain), visibility="private")
    write(w.ann, NoteTarget.for_entry(w.talk), visibility="private")
    in_step()
    assert (w.cat.pk, w.a.pk) not in noted()
    assert noted()[(w.ann.pk, w.a.pk)] == (0, None, {})
    assert stored() == baseline(w)


def test_making_a_shared_note_private_uncounts_it(w):
    write(w.cat, NoteTarget.for_entry(w.plain))
    assert noted()[(w.cat.pk, w.a.pk)][0] == 1
    write(w.cat, NoteTarget.for_entry(w.plain), visibility="private")
    in_step()
    assert (w.cat.pk, w.a.pk) not in noted()


def test_a_private_summary_counts_for_the_rule_but_not_as_a_note(w):
    write(w.cat, NoteTarget.for_tier(w.a2), visibility="private")
    in_step()
    assert noted()[(w.cat.pk, w.a.pk)] == (0, None, {"tiers": [w.a2.pk]})


def test_a_note_joins_a_line_with_progress_and_leaves_its_counts(w):
    first = write(w.ann, NoteTarget.for_entry(w.shared_a))
    second = write(w.ann, NoteTarget.for_entry(w.talk))
    in_step()
    assert noted()[(w.ann.pk, w.a.pk)] == (2, second.updated_at, {})
    assert second.updated_at >= first.updated_at
    assert noted()[(w.ann.pk, w.b.pk)] == (0, None, {})  # filed under the curriculum it is from
    assert stored() == baseline(w)


def test_tier_and_topic_summaries_are_listed(w):
    topic = factories.make_topic(w.a)
    write(w.ann, NoteTarget.for_tier(w.a2))
    write(w.ann, NoteTarget.for_topic(topic))
    in_step()
    assert noted()[(w.ann.pk, w.a.pk)][::2] == (2, {"tiers": [w.a2.pk], "topics": [topic.pk]})


def test_emptying_a_note_uncounts_it_and_a_line_only_notes_made_goes(w):
    write(w.cat, NoteTarget.for_entry(w.plain))
    write(w.cat, NoteTarget.for_entry(w.plain), body="")
    write(w.ann, NoteTarget.for_tier(w.a1))
    write(w.ann, NoteTarget.for_tier(w.a1), body="")
    in_step()
    assert (w.cat.pk, w.a.pk) not in noted()
    assert noted()[(w.ann.pk, w.a.pk)] == (0, None, {})
    assert stored() == baseline(w)


def test_restoring_a_version_counts_the_note_again(w):
    write(w.cat, NoteTarget.for_entry(w.plain))
    note = write(w.cat, NoteTarget.for_entry(w.plain), body="")
    restored = note_restore(actor=w.cat, note=note, number=1)
    in_step()
    assert noted()[(w.cat.pk, w.a.pk)] == (1, restored.updated_at, {})


@pytest.mark.parametrize("gone", ["tier", "topic", "entry"])
def test_a_note_kept_when_what_it_is_about_is_deleted_stays_counted_but_summarises_nothing(w, gone):
    """People's words outlive what they were about (Note's SET_NULL): the note is kept, filed
    under its curriculum still, and a summary no longer summarises the tier or topic."""
    topic = factories.make_topic(w.a)
    write(w.ann, NoteTarget.for_entry(w.plain))
    target = {
        "tier": NoteTarget.for_tier(w.a1),
        "topic": NoteTarget.for_topic(topic),
        "entry": NoteTarget.for_entry(w.talk),
    }[gone]
    write(w.ann, target)
    assert noted()[(w.ann.pk, w.a.pk)][0] == 2
    {"tier": w.a1, "topic": topic, "entry": w.talk}[gone].delete()
    in_step()
    assert noted()[(w.ann.pk, w.a.pk)][::2] == (2, {})
    assert Note.objects.filter(user=w.ann).count() == 2


def test_a_person_or_curriculum_deleted_takes_its_lines_along(w):
    write(w.cat, NoteTarget.for_entry(w.plain))
    write(w.ann, NoteTarget.for_tier(w.b1))
    w.cat.delete()
    w.b.delete()
    in_step()
    assert set(noted()) == {(w.ann.pk, w.a.pk)}


def test_the_notes_migration_backfill_counts_what_refresh_counts(w):
    write(w.cat, NoteTarget.for_entry(w.plain))
    write(w.ann, NoteTarget.for_tier(w.a2))
    write(w.ann, NoteTarget.for_entry(w.shared_b), body="")
    migration = importlib.import_module("notes.migrations.0004_tally_notes")
    ProgressTally.objects.filter(user=w.cat).delete()
    ProgressTally.objects.update(notes=0, noted_at=None, summaries={})
    assert tallies.drift()["ProgressTally"] == 2
    migration.count_notes(apps, None)
    later_migrations()
    in_step()


def test_the_shared_notes_migration_recounts_what_refresh_counts(w):
    write(w.cat, NoteTarget.for_entry(w.plain), visibility="private")  # a line only it made
    write(w.ann, NoteTarget.for_tier(w.a2), visibility="private")
    write(w.ann, NoteTarget.for_entry(w.shared_a))
    write(w.ben, NoteTarget.for_entry(w.talk))
    old = importlib.import_module("notes.migrations.0004_tally_notes")
    old.count_notes(apps, None)  # as counted before: private notes too
    ProgressTally.objects.filter(user=w.ben, curriculum=w.a).delete()
    assert tallies.drift()["ProgressTally"] == 3
    importlib.import_module("notes.migrations.0006_tally_shared_notes").count_shared_notes(
        apps, None
    )
    later_migrations()
    in_step()


def test_the_progress_migration_fills_what_refresh_fills(w):
    write(w.ann, NoteTarget.for_tier(w.a2))
    ProgressTally.objects.update(
        finished=0, steps_done=0, steps_total=0, percent=0, current_tier=None
    )
    assert tallies.drift()["ProgressTally"] == 3
    later_migrations()
    in_step()


# --- A write path no signal could see, closed -----------------------------------------------------


def test_the_revision_that_retired_an_entry_cannot_be_deleted_alone(w):
    """Its retired entries would come back without any signal (a bulk SET NULL): refused."""
    _retire(w)
    in_step()
    with pytest.raises(RestrictedError):
        w.shared_a.retired_in.delete()
    assert Entry.objects.get(pk=w.shared_a.pk).retired_in is not None
    in_step()
