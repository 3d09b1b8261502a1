"""The search's plain SQL (notes/search.py) held equal to the rules it writes out: who may read
which note (notes.access), what a note is called (Note.title), which entries are listed."""

from __future__ import annotations

import datetime as dt
import itertools
from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from notes import access, search
from notes.models import Note
from tests import factories

pytestmark = pytest.mark.django_db

WORD = "perplexity"


def _note(user, visibility="private", body=f"{WORD} here", **fields):
    fields.setdefault("kind", Note.Kind.RESOURCE)
    if fields["kind"] == Note.Kind.RESOURCE and "resource" not in fields:
        fields["resource"] = factories.make_resource()
    return Note.objects.create(
        user=user, visibility=visibility, body=body, updated_at=timezone.now(), **fields
    )


def test_found_notes_are_exactly_the_readable_ones(owner, member, outsider):
    """Every viewer finds their own notes and team-visible notes of anyone sharing one of their
    teams, once each, and nothing else: private notes of teammates, notes shared in a team the
    viewer is not in, empty bodies and notes without the word stay out, as
    access.readable_notes_q decides."""
    both = factories.make_user("both")  # in two of owner's teams: counted once
    loner = factories.make_user("loner")  # in no team
    factories.make_team(owner, member, both)
    factories.make_team(owner, both)
    factories.make_team(outsider, member)
    people = [owner, member, outsider, both, loner]
    for person, visibility in itertools.product(people, ["private", "team"]):
        _note(person, visibility)
        _note(person, visibility, body="")
        _note(person, visibility, body="nothing to find")
    for viewer in people:
        mine, shared = search.notes(viewer, WORD)
        expected = set(
            Note.objects.filter(access.readable_notes_q(viewer), body__icontains=WORD)
            .exclude(body="")
            .values_list("pk", flat=True)
        )
        found = [n.id for n in [*mine, *shared]]
        assert len(found) == len(set(found))
        assert set(found) == expected, viewer.username
        assert {n.id for n in mine} == set(
            Note.objects.filter(pk__in=expected, user=viewer).values_list("pk", flat=True)
        )
    # The rule is not trivially satisfied: member reads more than its own, outsider less.
    assert len(expected) == 2  # loner: its own two
    assert len(search.notes(member, WORD)[1]) == 3  # owner's, both's and outsider's shared


def test_note_titles_are_the_models(owner, curriculum, entries):
    """Every kind of note, with what it is about present or deleted, is called in the results
    what Note.title calls it."""
    tier = curriculum.tiers.first()
    bare_tier = factories.make_tier(curriculum, 2, title="")
    topic = curriculum.topics.first()
    untitled = factories.make_resource(title="")
    gone_tier = factories.make_tier(curriculum, 3, title="Gone")
    gone_topic = factories.make_topic(curriculum, "Gone topic")
    notes = [
        _note(owner, kind=Note.Kind.RESOURCE, resource=entries[0].resource, entry=entries[0]),
        _note(owner, kind=Note.Kind.RESOURCE, resource=entries[1].resource),
        _note(owner, kind=Note.Kind.RESOURCE, resource=untitled),
        _note(owner, kind=Note.Kind.ENTRY, entry=entries[3]),
        _note(owner, kind=Note.Kind.TIER, tier=tier),
        _note(owner, kind=Note.Kind.TIER, tier=bare_tier),
        _note(owner, kind=Note.Kind.TOPIC, topic=topic),
        _note(owner, kind=Note.Kind.TIER, tier=gone_tier),
        _note(owner, kind=Note.Kind.TOPIC, topic=gone_topic),
        _note(owner, kind=Note.Kind.ENTRY, entry=entries[2]),
    ]
    gone_tier.delete()
    gone_topic.delete()
    entries[2].delete()
    mine, _ = search.notes(owner, WORD)
    expected = {n.pk: Note.objects.get(pk=n.pk).title for n in notes}
    assert {n.id: n.title for n in mine} == expected
    assert "Summary of a deleted tier" in expected.values()
    assert "Summary: Tier 1 — Basics" in expected.values()
    assert "Summary: Tier 2" in expected.values()


def test_fifty_of_my_notes_do_not_hide_my_teammates(owner, member):
    """The best 50 of mine and the best 50 shared with me, each: 110 newer notes of mine no
    longer push my teammate's three out of the results."""
    factories.make_team(owner, member)
    now = timezone.now()
    older = [_note(member, "team") for _ in range(3)]
    Note.objects.filter(pk__in=[n.pk for n in older]).update(updated_at=now - dt.timedelta(1))
    Note.objects.bulk_create(
        Note(
            user=owner,
            kind=Note.Kind.RESOURCE,
            resource=factories.make_resource(),
            body=f"{WORD} {i}",
            updated_at=now,
        )
        for i in range(110)
    )
    mine, shared = search.notes(owner, WORD)
    assert len(mine) == search.LIMIT
    assert sorted(n.id for n in shared) == sorted(n.pk for n in older)
    assert shared[0].author == "member"


def test_a_teammates_full_name_is_shown(owner, member):
    factories.make_team(owner, member)
    member.first_name, member.last_name = "Mem", "Ber"
    member.save()
    _note(member, "team")
    assert [n.author for n in search.notes(owner, WORD)[1]] == ["Mem Ber"]


def test_retired_entries_are_not_found(owner, curriculum, entries):
    from curricula.models import Revision

    factories.make_entry(curriculum, f"{WORD} current")
    retired = factories.make_entry(curriculum, f"{WORD} retired")
    retired.retired_in = Revision.objects.create(curriculum=curriculum, number=2, sha256="x")
    retired.save()
    found, _ = search.entries(owner, WORD)
    assert [h.title for h in found] == [f"{WORD} current"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite searches through the ORM")
def test_a_search_is_not_compiled_by_the_orm(owner, member, curriculum):
    """Entries and notes come from plain SQL: compiling the ORM's querysets (a RawSQL ranking,
    status subqueries, five select_related joins) and building a model per row cost more CPU
    than PostgreSQL spent finding them."""
    factories.make_team(owner, member)
    for i in range(3):
        factories.make_entry(curriculum, f"{WORD} {i}")
    _note(owner)
    _note(member, "team")
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as as_sql:
        found = search.search(owner, WORD)
    assert len(found.entries) == 3 and len(found.mine) == len(found.shared) == 1
    assert as_sql.call_count == 0
