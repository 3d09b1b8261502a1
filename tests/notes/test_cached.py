"""The curriculum page caches what everyone sees of a list under Curriculum.content_version,
which the database raises on every change of it, whichever way it is written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from curricula.models import Curriculum, Entry, Resource, Tier, Topic
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(curriculum, entries):
    other = factories.make_curriculum(slug="other", title="Other")
    return curriculum, entries, other


def version(curriculum: Curriculum) -> int:
    return Curriculum.objects.values_list("content_version", flat=True).get(pk=curriculum.pk)


CHANGES = {
    "entry saved": lambda c, es: es[0].save(),
    "entries updated in bulk": lambda c, es: Entry.objects.filter(curriculum=c).update(why="x"),
    "entry added in bulk": lambda c, es: Entry.objects.bulk_create(
        [Entry(curriculum=c, title="Bulk", position=99)]
    ),
    "entry deleted": lambda c, es: Entry.objects.filter(pk=es[3].pk).delete(),
    "tier renamed": lambda c, es: Tier.objects.filter(curriculum=c).update(label="Tier one"),
    "topic renamed": lambda c, es: Topic.objects.filter(curriculum=c).update(title="Tokens"),
    "paper's link broken": lambda c, es: Resource.objects.filter(pk=es[0].resource_id).update(
        health=Resource.Health.BROKEN
    ),
    "paper retitled": lambda c, es: Resource.objects.filter(pk=es[1].resource_id).update(
        title="A new title"
    ),
    "curriculum saved": lambda c, es: Curriculum.objects.get(pk=c.pk).save(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_of_what_the_page_shows_raises_the_version(listed, change):
    curriculum, entries, other = listed
    before, before_other = version(curriculum), version(other)
    CHANGES[change](curriculum, entries)
    assert version(curriculum) > before
    assert version(other) == before_other


def test_bookkeeping_on_papers_leaves_the_version(listed):
    curriculum, entries, _ = listed
    before = version(curriculum)
    Resource.objects.filter(pk=entries[0].resource_id).update(
        last_checked_at=timezone.now(), check_claim="worker-1"
    )
    assert version(curriculum) == before


def test_a_stale_version_saved_never_takes_it_back(listed):
    curriculum, entries, _ = listed
    stale = Curriculum.objects.get(pk=curriculum.pk)
    Entry.objects.filter(pk=entries[0].pk).update(title="Changed")
    raised = version(curriculum)
    stale.title = "Renamed"
    stale.save()  # writes the content_version it read, which is behind
    assert version(curriculum) > raised


def test_the_page_shows_a_change_made_without_signals_at_once(client, owner, listed):
    curriculum, entries, _ = listed
    client.force_login(owner)
    assert "Core paper" in client.get("/curricula/mini/").content.decode()
    Entry.objects.filter(pk=entries[0].pk).update(title="Core paper, revised")
    Resource.objects.filter(pk=entries[1].resource_id).update(health=Resource.Health.BROKEN)
    Tier.objects.filter(curriculum=curriculum).update(label="First tier")
    html = client.get("/curricula/mini/").content.decode()
    assert "Core paper, revised" in html and "link broken" in html and "First tier" in html


def test_cached_rows_carry_no_one_elses_status(client, owner, member, listed):
    """The cache holds the list, never a person's state: my status is mine on a cached page."""
    _, entries, _ = listed
    from notes import services

    services.progress_set(actor=member, entry=entries[0], status="done")
    client.force_login(member)
    assert 'class="entry status-done" id="entry-' in client.get("/curricula/mini/").content.decode()
    client.force_login(owner)
    html = client.get("/curricula/mini/").content.decode()
    assert f'class="entry status-to_read" id="entry-{entries[0].pk}"' in html


def test_a_list_seen_before_costs_three_queries_less(
    client, owner, listed, django_assert_num_queries
):
    """Session, user, curriculum, my enrollment with my tally line, my statuses and notes: the
    tiers, the counts and the page of rows come from the cache while the list is unchanged."""
    client.force_login(owner)
    assert client.get("/curricula/mini/").status_code == 200
    with django_assert_num_queries(5):
        assert client.get("/curricula/mini/").status_code == 200


def test_rows_kept_for_the_list_show_each_person_their_own_marks(client, owner, member, listed):
    """Rendered rows are kept per version of the list (notes/rendering.py); what a row shows of
    a person (status, my-note marker, new since I started) must still be theirs."""
    import datetime as dt

    from notes.services import progress_set

    curriculum, entries, _ = listed
    factories.make_enrollment(owner, curriculum, started_at=timezone.now() - dt.timedelta(days=9))
    Entry.objects.filter(pk=entries[2].pk).update(added_on=timezone.localdate())
    progress_set(actor=owner, entry=entries[0], status="done")
    factories.make_note(owner, entries[1], "mine")
    done = f'value="{entries[0].pk}:done" aria-pressed="true"'

    def page(person) -> str:
        client.force_login(person)
        return client.get("/curricula/mini/").content.decode()

    for _ in range(2):  # each one's rows rendered first once, then kept
        mine, theirs = page(owner), page(member)
        assert done in mine and "(my note ✓)" in mine and "new since you started" in mine
        assert done not in theirs and "(my note ✓)" not in theirs
        assert "new since you started" not in theirs
        assert f'value="{entries[0].pk}:to_read" aria-pressed="true"' in theirs
