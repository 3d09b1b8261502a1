"""Home's reads in plain SQL (notes.selectors.recent_notes, …), held equal to the ORM queries
they replace."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from curricula.models import Entry
from notes import selectors
from notes.models import Note
from tests import factories

pytestmark = pytest.mark.django_db


def _orm_recent_notes(user, count):
    """recent_notes as the ORM wrote it."""
    return list(
        Note.objects.filter(user=user)
        .select_related("entry", "resource", "tier", "topic")
        .order_by("-updated_at", "-pk")[:count]
    )


@pytest.fixture
def notes_of_every_kind(owner, member):
    """Notes of owner on a paper, a link-less entry, a tier, a topic, a paper whose entry was
    deleted and a tier that was deleted; a teammate's shared note, newer than all of them."""
    course = factories.make_curriculum(slug="course", title="Course")
    tier = factories.make_tier(course, 1, title="Basics")
    bare_tier = factories.make_tier(course, 2)
    topic = factories.make_topic(course, "Tokenisers", tier=tier)
    paper = factories.make_entry(course, "A paper", tier=tier, topic=topic)
    untitled = factories.make_entry(
        course, "Untitled paper", resource=factories.make_resource(title="")
    )
    linkless = factories.make_entry(course, "A talk", resource=None)
    base = dict(user=owner, curriculum=course, body="text", version=1)
    now = timezone.now()
    made = [
        Note(kind="resource", resource=paper.resource, entry=paper, **base),
        Note(kind="resource", resource=untitled.resource, entry=untitled, **base),
        Note(kind="entry", entry=linkless, visibility="team", **base),
        Note(kind="tier", tier=tier, **base),
        Note(kind="tier", tier=bare_tier, **base),
        Note(kind="topic", topic=topic, **base),
    ]
    for i, note in enumerate(made):
        note.updated_at = now - dt.timedelta(minutes=i)
    made[3].updated_at = made[4].updated_at  # a tie, broken by id
    Note.objects.bulk_create(made)
    Entry.objects.filter(pk=untitled.pk).delete()  # the note keeps its paper, loses its entry
    bare_tier.delete()
    theirs = factories.make_note(member, paper, "theirs", visibility="team")
    Note.objects.filter(pk=theirs.pk).update(updated_at=now + dt.timedelta(days=1))
    return course


@pytest.mark.parametrize("count", [2, 5, 10])
def test_recent_notes_agree_with_the_orm(
    owner, notes_of_every_kind, count, django_assert_num_queries
):
    want = _orm_recent_notes(owner, count)
    with django_assert_num_queries(1):
        got = selectors.recent_notes(owner, count)
        # Titles, dates and links need nothing more from the database.
        shown = [(n.pk, n.title, n.updated_at, n.visibility, n.kind) for n in got]
    assert shown == [(n.pk, n.title, n.updated_at, n.visibility, n.kind) for n in want]
    assert len(got) == min(count, 6)
    titles = {n.title for n in selectors.recent_notes(owner, 10)}
    assert {"A paper", "A talk", "Summary: Tier 1 — Basics", "Summary of a deleted tier"} <= titles
    # The paper whose entry was deleted shows its URL, as it has no title.
    assert "Summary: Tokenisers" in titles and any(t.startswith("https://") for t in titles)


def test_recent_notes_are_not_compiled_by_the_orm(owner, notes_of_every_kind):
    """Compiling them with the ORM (four joins, only()) cost ~5 ms of every home page."""
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as as_sql:
        assert len(selectors.recent_notes(owner)) == 5
    assert as_sql.call_count == 0


def _orm_enrollments(user):
    """my_enrollments as the ORM wrote it (notes.selectors.home before plain SQL)."""
    from django.db.models import Exists, F, OuterRef
    from django.db.models.functions import Coalesce

    from curricula.models import Revision
    from notes.models import Enrollment

    since = Coalesce(OuterRef("changes_seen_at"), OuterRef("started_at"))
    return list(
        Enrollment.objects.filter(user=user)
        .select_related("curriculum")
        .defer("curriculum__guidance", "curriculum__note_template")
        .annotate(
            changed=Exists(
                Revision.objects.filter(
                    curriculum_id=OuterRef("curriculum_id"), created_at__gt=since
                )
            ),
            news=Exists(
                Revision.objects.filter(
                    curriculum_id=OuterRef("curriculum_id"), created_at__gt=OuterRef("started_at")
                )
            )
            | Exists(
                Entry.objects.active().filter(
                    curriculum_id=OuterRef("curriculum_id"), added_on__gt=OuterRef("started_at")
                )
            ),
        )
        .order_by("source", F("target_date").asc(nulls_last=True), "started_at", "pk")
    )


def _orm_others(ids):
    from django.db.models import Count, Q

    from curricula.models import Curriculum

    return list(
        Curriculum.objects.exclude(pk__in=ids)
        .annotate(entry_count=Count("entries", filter=Q(entries__retired_in__isnull=True)))
        .defer("guidance", "note_template")
        .order_by("title", "pk")
    )


def test_my_enrollments_and_other_curricula_agree_with_the_orm(owner, member):
    """Assigned and followed lists, with and without due dates; lists changed or not since I
    last looked or since I started (revisions, entries marked added after that day, a retired
    one); another person's enrollments; other lists' active entries counted."""
    from curricula.models import Revision
    from notes.models import Enrollment

    now = timezone.now()
    days = dt.timedelta(days=1)
    lists = [factories.make_curriculum(title=f"List {i}") for i in range(7)]
    retired_in = Revision.objects.create(curriculum=lists[6], number=9, sha256="x", source_text="")
    for i, c in enumerate(lists):
        for n in range(i % 3):
            factories.make_entry(c, added_on=(now - (4 - 3 * n) * days).date())
        factories.make_entry(c, retired_in=retired_in if i == 6 else None, added_on=now.date())
    Revision.objects.filter(pk=retired_in.pk).update(created_at=now - 70 * days)
    Revision.objects.create(curriculum=lists[1], number=2, sha256="y", source_text="")
    Revision.objects.create(curriculum=lists[2], number=2, sha256="z", source_text="")
    Revision.objects.filter(curriculum=lists[2]).update(created_at=now - 2 * days)
    seen = {"changes_seen_at": now - days}
    factories.make_enrollment(owner, lists[0], started_at=now - 10 * days)
    factories.make_enrollment(owner, lists[1], started_at=now - 3 * days, **seen)
    factories.make_enrollment(owner, lists[2], started_at=now - 3 * days, **seen)
    factories.make_enrollment(
        owner, lists[3], source="assigned", started_at=now, target_date=(now + 9 * days).date()
    )
    factories.make_enrollment(owner, lists[4], source="assigned", started_at=now - days)
    factories.make_enrollment(owner, lists[6], started_at=now - 50 * days)
    factories.make_enrollment(member, lists[5], started_at=now)
    factories.make_entry(lists[6], added_on=(now - 60 * days).date())

    def shown(enrollments):
        return [
            (e.pk, e.source, e.target_date, e.started_at, e.changes_seen_at, e.changed, e.news,
             e.curriculum.pk, e.curriculum.title, e.curriculum.slug, e.curriculum.content_version,
             e.curriculum.created_at)
            for e in enrollments
        ]  # fmt: skip

    for person in (owner, member):
        got, want = selectors.my_enrollments(person), _orm_enrollments(person)
        assert shown(got) == shown(want)
        ids = [e.curriculum_id for e in got]
        others = selectors.other_curricula(ids)
        assert [(c.pk, c.title, c.entry_count, c.slug) for c in others] == [
            (c.pk, c.title, c.entry_count, c.slug) for c in _orm_others(ids)
        ]
        for c in (*others, *(e.curriculum for e in got)):
            assert {"guidance", "note_template"} <= c.get_deferred_fields()
    got = shown(selectors.my_enrollments(owner))
    assert {row[5] for row in got} == {True, False} and {row[6] for row in got} == {True, False}
    assert [c.entry_count for c in selectors.other_curricula([])] == [1, 2, 3, 1, 2, 3, 1]
    assert Enrollment.objects.filter(user=owner).count() == 6
