"""notes.remaining (plain SQL) against the ORM rule it replaces (outline.Filters.apply): the
same rows, in the same order, with the same values, for every filter, tier and page."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from curricula.models import Curriculum, Entry, Revision
from notes import outline, remaining, selectors
from notes.models import Progress
from tests import factories

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def orm_rows(user, curriculum, tier_id, *, hide_optional, role, offset, limit):
    where = {"tier_id": tier_id} if tier_id else {"curriculum": curriculum, "tier__isnull": True}
    filters = outline.Filters(remaining=True, hide_optional=hide_optional, role=role)
    qs = filters.apply(Entry.objects.active().filter(**where), user)
    page = outline.ordered(curriculum, qs)[offset : offset + limit]
    return selectors.entry_views_with_topics(
        outline.ordered(curriculum, Entry.objects.filter(pk__in=page.values("pk")))
    )


def flat(rows):
    out = []
    for entry, topic in rows:
        values = [
            getattr(entry, name) for name in selectors.EntryView.__slots__ if name != "resource"
        ]
        resource = entry.resource
        if resource is not None:
            values += [getattr(resource, name) for name in selectors.ResourceView.__slots__]
        out.append((tuple(map(repr, values)), topic))
    return out


@pytest.fixture
def world(owner, member):
    c = factories.make_curriculum(slug="rem", reading_order="by_tier")
    t1 = factories.make_tier(c, 1)
    t2 = factories.make_tier(c, 2, optional=True)
    first = factories.make_topic(c, "First", position=1)
    second = factories.make_topic(c, "Second", position=2)
    revision = Revision.objects.create(curriculum=c, number=2, sha256="x", source_text="")
    shared = factories.make_resource(
        authors=[{"name": "Ada"}], title="Shared paper", verification="mismatch", health="broken"
    )
    entries = [
        factories.make_entry(c, "a", tier=t1, topic=second, role="core", position=1),
        factories.make_entry(c, "b", tier=t1, topic=first, role="optional", position=2,
                             tags=["x", "y"], extra_links=[{"url": "https://e.org", "label": "w"}]),
        factories.make_entry(c, "c", tier=t1, topic=None, role="core", position=3),
        factories.make_entry(c, "d", tier=t1, topic=first, role="practitioner", position=4,
                             resource=shared),
        factories.make_entry(c, "e", tier=t1, topic=second, role="core", position=5, resource=None),
        factories.make_entry(c, "f", tier=t1, topic=first, role="core", position=6, resource=None),
        factories.make_entry(c, "g", tier=t1, topic=first, role="core", position=7,
                             retired_in=revision),
        factories.make_entry(c, "h", tier=t2, topic=first, role="core", position=8),
        factories.make_entry(c, "i", tier=None, topic=None, role="core", position=9),
        factories.make_entry(c, "j", tier=None, topic=second, role="optional", position=10,
                             resource=shared),
    ]  # fmt: skip
    a, b, _, _, e, f, *_ = entries

    def mark(**fields):
        Progress.objects.create(updated_at=NOW, **fields)

    mark(user=owner, resource=a.resource, status="done")
    mark(user=owner, resource=shared, status="reading")  # reading: still remains
    mark(user=owner, resource=None, entry=e, status="skipped")  # a linkless entry, closed
    mark(user=owner, resource=None, entry=f, status="to_read")
    mark(user=member, resource=b.resource, status="done")  # someone else's: no effect on mine
    mark(user=member, resource=None, entry=f, status="done")
    return c, [t1.pk, t2.pk, None]


@pytest.mark.parametrize("order", ["by_tier", "listed"])
def test_the_sql_gives_what_the_orm_gives(owner, member, world, order):
    curriculum, tiers = world
    Curriculum.objects.filter(pk=curriculum.pk).update(reading_order=order)
    curriculum.refresh_from_db()
    seen = 0
    for user, tier_id, hide, role, (offset, limit) in itertools.product(
        [owner, member], tiers, [False, True], ["", "core", "optional"], [(0, 26), (1, 2), (3, 26)]
    ):
        args = dict(hide_optional=hide, role=role, offset=offset, limit=limit)
        expected = flat(orm_rows(user, curriculum, tier_id, **args))
        assert flat(remaining.rows(user, curriculum, tier_id, **args)) == expected, (
            user.username,
            tier_id,
            args,
        )
        seen += len(expected)
    assert seen > 20  # the cases are not all empty


def test_what_remains_leaves_out_what_i_closed_only(client, owner, world):
    curriculum, _ = world
    client.force_login(owner)
    html = client.get(f"/curricula/{curriculum.slug}/?remaining=on").content.decode()
    titles = [t for t in "abcdefg" if f">{t}</" in html]
    # a: done, e: skipped (linkless), g: retired; d (reading) and f (to read) remain.
    assert titles == ["b", "c", "d", "f"]
