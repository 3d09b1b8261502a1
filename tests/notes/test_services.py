"""Writes: progress keyed on what is read, versions, conflicts, restore, the activity log."""

from __future__ import annotations

import pytest

from notes import services
from notes.models import Activity, Enrollment, Note, NoteVersion, Progress
from notes.services import NoteConflict, NoteTarget
from tests import factories

pytestmark = pytest.mark.django_db


def test_reading_a_paper_counts_in_every_curriculum_that_lists_it(owner):
    paper = factories.make_resource("https://arxiv.org/abs/2405.09673")
    a = factories.make_curriculum()
    b = factories.make_curriculum()
    in_a = factories.make_entry(a, resource=paper)
    in_b = factories.make_entry(b, resource=paper)
    services.progress_set(actor=owner, entry=in_a, status="done")
    from notes import selectors

    maps = selectors.status_maps(owner, [b.pk])
    assert selectors.status_of(in_b, maps) == "done"
    assert Progress.objects.get(user=owner).resource == paper


def test_link_less_entries_keep_progress_on_the_entry(owner, entries):
    linkless = entries[3]
    progress = services.progress_set(actor=owner, entry=linkless, status="reading")
    assert progress.entry == linkless and progress.resource is None
    assert progress.started_at is not None and progress.finished_at is None


def test_every_status_change_is_logged_with_from_and_to(owner, entries):
    services.progress_set(actor=owner, entry=entries[0], status="reading")
    services.progress_set(actor=owner, entry=entries[0], status="done")
    services.progress_set(actor=owner, entry=entries[0], status="done")  # no change, no row
    log = list(Activity.objects.filter(user=owner, verb="status").order_by("id"))
    assert [(a.from_status, a.to_status) for a in log] == [("", "reading"), ("reading", "done")]
    assert log[1].curriculum_id == entries[0].curriculum_id


def test_unknown_status_is_refused(owner, entries):
    with pytest.raises(ValueError):
        services.progress_set(actor=owner, entry=entries[0], status="finished")


def test_unfollowing_keeps_progress_and_logs_both(owner, curriculum, entries):
    services.enrollment_follow(actor=owner, curriculum=curriculum)
    services.enrollment_follow(actor=owner, curriculum=curriculum)  # idempotent
    services.progress_set(actor=owner, entry=entries[0], status="done")
    assert services.enrollment_unfollow(actor=owner, curriculum=curriculum)
    assert not Enrollment.objects.filter(user=owner).exists()
    assert Progress.objects.filter(user=owner, status="done").count() == 1
    verbs = list(Activity.objects.filter(user=owner).values_list("verb", flat=True))
    assert verbs.count("followed") == 1 and verbs.count("unfollowed") == 1


def test_assigned_curricula_cannot_be_unfollowed(owner, curriculum):
    factories.make_enrollment(owner, curriculum, source="assigned")
    assert not services.enrollment_unfollow(actor=owner, curriculum=curriculum)
    assert Enrollment.objects.filter(user=owner).exists()


def test_every_save_is_a_version_and_unchanged_saves_add_none(owner, entries):
    target = NoteTarget.for_entry(entries[0])
    note, _ = services.note_save(
        actor=owner, target=target, body="one", visibility="private", base_version=0
    )
    note, changed = services.note_save(
        actor=owner, target=target, body="two", visibility="team", base_version=1
    )
    assert changed and note.version == 2 and note.visibility == "team"
    _, changed = services.note_save(
        actor=owner, target=target, body="two", visibility="team", base_version=2
    )
    assert not changed
    assert list(note.versions.order_by("number").values_list("number", "body")) == [
        (1, "one"),
        (2, "two"),
    ]


def test_a_stale_save_never_overwrites_the_newer_text(owner, entries):
    target = NoteTarget.for_entry(entries[0])
    services.note_save(actor=owner, target=target, body="v1", visibility="private", base_version=0)
    services.note_save(
        actor=owner, target=target, body="tab A", visibility="private", base_version=1
    )
    with pytest.raises(NoteConflict) as err:
        services.note_save(
            actor=owner, target=target, body="tab B", visibility="private", base_version=1
        )
    assert err.value.note.version == 2
    assert Note.objects.get(user=owner).body == "tab A"
    assert NoteVersion.objects.count() == 2


def test_two_first_saves_conflict_instead_of_duplicating(owner, entries):
    target = NoteTarget.for_entry(entries[0])
    services.note_save(actor=owner, target=target, body="A", visibility="private", base_version=0)
    with pytest.raises(NoteConflict):
        services.note_save(
            actor=owner, target=target, body="B", visibility="private", base_version=0
        )
    assert Note.objects.filter(user=owner).count() == 1


def test_one_note_per_resource_whichever_entry_it_is_written_from(owner):
    paper = factories.make_resource()
    a = factories.make_entry(factories.make_curriculum(), resource=paper)
    b = factories.make_entry(factories.make_curriculum(), resource=paper)
    services.note_save(
        actor=owner, target=NoteTarget.for_entry(a), body="x", visibility="private", base_version=0
    )
    note, _ = services.note_save(
        actor=owner, target=NoteTarget.for_entry(b), body="y", visibility="private", base_version=1
    )
    assert Note.objects.filter(user=owner).count() == 1 and note.body == "y"


def test_restore_makes_an_old_version_current_as_a_new_version(owner, entries):
    target = NoteTarget.for_entry(entries[0])
    services.note_save(actor=owner, target=target, body="old", visibility="private", base_version=0)
    note, _ = services.note_save(
        actor=owner, target=target, body="new", visibility="private", base_version=1
    )
    note = services.note_restore(actor=owner, note=note, number=1)
    assert note.body == "old" and note.version == 3
    assert note.versions.get(number=3).restored_from == 1
    assert Activity.objects.filter(user=owner, verb="note_restored").exists()


def test_a_note_longer_than_the_limit_is_refused(owner, entries):
    with pytest.raises(ValueError):
        services.note_save(
            actor=owner,
            target=NoteTarget.for_entry(entries[0]),
            body="x" * (services.MAX_NOTE_CHARS + 1),
            visibility="private",
            base_version=0,
        )
    assert not Note.objects.exists()
