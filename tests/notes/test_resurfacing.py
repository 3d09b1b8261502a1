"""Revisit what you read: notes on papers I finished about a week, a month and three months ago
come back on home and in the digest, mine and my team's shared ones (never anyone's private
note), with "Still true" (recorded, no new version, gone for that interval) and "Edit"."""

from __future__ import annotations

import datetime as dt
import random
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curricula.models import Entry, Revision
from notes import access, resurfacing
from notes import services as notes_services
from notes.models import Note, NoteVersion, Reaffirmation
from teams import digests
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def finish(user, entry, days_ago: int) -> None:
    """`user` marks `entry` done `days_ago` days before NOW (at 10:00 that day)."""
    when = NOW - dt.timedelta(days=days_ago, hours=2)
    with time_machine.travel(when, tick=False):
        notes_services.progress_set(actor=user, entry=entry, status="done")


def note(user, entry, body, visibility="private"):
    return factories.make_note(user, entry, body, visibility=visibility)


@pytest.fixture
def people(db):
    alice = factories.make_user("alice", first_name="Alice", last_name="Adams")
    bob = factories.make_user("bob", first_name="Bob", last_name="Brown")
    carol = factories.make_user("carol", first_name="Carol")  # in another team
    factories.make_team(alice, bob, name="Research", slug="research")
    factories.make_team(carol, name="Elsewhere", slug="elsewhere")
    return alice, bob, carol


@pytest.fixture
def course(db):
    c = factories.make_curriculum(slug="course", title="Course")
    return c


def paper(course, title):
    return factories.make_entry(course, title)


@pytest.fixture
def read(people, course):
    """Alice finished papers 90, 30, 7, 20 and 2 days ago and wrote a note on each."""
    alice = people[0]
    papers = {}
    for days in (90, 30, 7, 20, 2):
        entry = paper(course, f"Paper {days}")
        finish(alice, entry, days)
        note(alice, entry, f"**Alice** on the paper of {days} days ago.")
        papers[days] = entry
    return papers


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("days", "interval"),
    [
        (5, None),
        (6, "week"),
        (12, "week"),
        (13, None),
        (26, None),
        (27, "month"),
        (33, "month"),
        (34, None),
        (86, None),
        (87, "quarter"),
        (93, "quarter"),
        (94, None),
    ],
)
def test_each_interval_is_a_seven_day_window(people, course, days, interval):
    alice = people[0]
    entry = paper(course, "The paper")
    finish(alice, entry, days)
    note(alice, entry, "Still holds?")
    found = resurfacing.pick(alice)
    assert [r.interval for r in found] == ([interval] if interval else [])


@time_machine.travel(NOW, tick=False)
def test_a_week_a_month_and_three_months_ago_come_back_oldest_first(people, read):
    alice = people[0]
    found = resurfacing.pick(alice)
    assert [r.note.entry.title for r in found] == ["Paper 90", "Paper 30", "Paper 7"]
    assert [r.interval for r in found] == ["quarter", "month", "week"]
    assert all(r.mine for r in found)
    # Plain words, not Markdown.
    assert found[0].excerpt == "Alice on the paper of 90 days ago."
    assert found[0].when == "about three months ago"


@time_machine.travel(NOW, tick=False)
def test_never_anyones_private_note_only_teammates_shared_ones(people, course):
    alice, bob, carol = people
    entry = paper(course, "Shared paper")
    finish(alice, entry, 30)
    note(bob, entry, "Bob's private thoughts")
    note(carol, entry, "Carol shared this with her own team", visibility="team")
    assert resurfacing.pick(alice) == []
    Note.objects.filter(user=bob).update(visibility="team")
    found = resurfacing.pick(alice)
    assert [(r.note.user, r.mine) for r in found] == [(bob, False)]
    # Bob did not finish the paper himself: nothing comes back for him.
    assert resurfacing.pick(bob) == []


@time_machine.travel(NOW, tick=False)
def test_my_notes_before_teammates_then_earliest_finished_and_the_same_every_time(people, course):
    alice, bob, _ = people
    entries = [paper(course, f"Month paper {i}") for i in range(4)]
    for i, entry in enumerate(entries):
        finish(alice, entry, 33 - i)  # paper 0 finished earliest
        note(bob, entry, f"Bob on {i}", visibility="team")
    note(alice, entries[3], "Mine, finished last")
    first = resurfacing.pick(alice)
    assert [(r.note.entry.title, r.mine) for r in first] == [
        ("Month paper 3", True),
        ("Month paper 0", False),
        ("Month paper 1", False),
    ]
    assert [r.note.pk for r in resurfacing.pick(alice)] == [r.note.pk for r in first]


@time_machine.travel(NOW, tick=False)
def test_empty_notes_and_summaries_and_unfinished_papers_do_not_come_back(people, course):
    alice = people[0]
    tier = factories.make_tier(course, 1)
    entry = paper(course, "Read, empty note")
    finish(alice, entry, 7)
    note(alice, entry, "")
    reading = paper(course, "Only reading")
    with time_machine.travel(NOW - dt.timedelta(days=7), tick=False):
        notes_services.progress_set(actor=alice, entry=reading, status="reading")
    note(alice, reading, "Half way")
    notes_services.note_save(
        actor=alice,
        target=notes_services.NoteTarget.for_tier(tier),
        body="A summary",
        visibility="private",
        base_version=0,
    )
    assert resurfacing.pick(alice) == []


@time_machine.travel(NOW, tick=False)
def test_link_less_entries_come_back_too(people, course):
    alice = people[0]
    talk = factories.make_entry(course, "A talk", resource=None)
    finish(alice, talk, 7)
    note(alice, talk, "Worth it")
    (found,) = resurfacing.pick(alice)
    assert found.note.kind == Note.Kind.ENTRY and found.edit_url.endswith("#my-note")


@time_machine.travel(NOW, tick=False)
def test_still_true_records_it_without_a_new_version_for_that_interval_only(client, people, read):
    alice = people[0]
    mine = Note.objects.get(user=alice, entry=read[7])
    before = (mine.version, mine.saves, mine.updated_at, NoteVersion.objects.count())
    client.force_login(alice)
    response = client.post(f"/notes/{mine.pk}/still-true", {"interval": "week"})
    assert response.status_code == 302 and response["Location"] == "/"
    mine.refresh_from_db()
    assert (mine.version, mine.saves, mine.updated_at, NoteVersion.objects.count()) == before
    (record,) = Reaffirmation.objects.all()
    assert (record.user, record.note, record.interval, record.created_at) == (
        alice,
        mine,
        "week",
        NOW,
    )
    assert "Paper 7" not in [r.note.entry.title for r in resurfacing.pick(alice)]
    # Pressing it again (another tab) records it once.
    client.post(f"/notes/{mine.pk}/still-true", {"interval": "week"})
    assert Reaffirmation.objects.count() == 1
    # Three weeks on, the same paper is a month old: it comes back for that interval.
    with time_machine.travel(NOW + dt.timedelta(days=23), tick=False):
        later = resurfacing.pick(alice)
    assert [(r.note.entry.title, r.interval) for r in later] == [("Paper 7", "month")]


@time_machine.travel(NOW, tick=False)
def test_still_true_with_htmx_says_so_in_place_of_the_card(client, people, read):
    alice = people[0]
    mine = Note.objects.get(user=alice, entry=read[30])
    client.force_login(alice)
    response = client.post(
        f"/notes/{mine.pk}/still-true", {"interval": "month"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<li class="card kept">')
    assert "“Paper 30”: still true, noted." in html and "autofocus" in html
    assert Reaffirmation.objects.filter(user=alice, note=mine, interval="month").exists()


@time_machine.travel(NOW, tick=False)
def test_still_true_on_a_teammates_shared_note_is_mine_alone(client, people, course):
    alice, bob, _ = people
    entry = paper(course, "Both read it")
    finish(alice, entry, 7)
    finish(bob, entry, 7)
    shared = note(bob, entry, "Bob shares", visibility="team")
    client.force_login(alice)
    assert client.post(f"/notes/{shared.pk}/still-true", {"interval": "week"}).status_code == 302
    assert resurfacing.pick(alice) == []
    assert [r.note for r in resurfacing.pick(bob)] == [shared]


@time_machine.travel(NOW, tick=False)
def test_still_true_is_refused_for_notes_i_cannot_read_and_bad_input(client, people, course):
    alice, bob, carol = people
    entry = paper(course, "Private paper")
    private = note(bob, entry, "Bob only")
    theirs = note(carol, entry, "Carol's team only", visibility="team")
    client.force_login(alice)
    for pk in (private.pk, theirs.pk, 999999):
        assert client.post(f"/notes/{pk}/still-true", {"interval": "week"}).status_code == 404
    mine = note(alice, entry, "Mine")
    response = client.post(f"/notes/{mine.pk}/still-true", {"interval": "yearly"})
    assert response.status_code == 422
    assert "one of week, month, quarter" in response.content.decode()
    assert client.get(f"/notes/{mine.pk}/still-true").status_code == 405
    # Elsewhere than this site is not where "next" leads.
    response = client.post(
        f"/notes/{mine.pk}/still-true", {"interval": "week", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    client.logout()
    response = client.post(f"/notes/{mine.pk}/still-true", {"interval": "week"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Reaffirmation.objects.filter(user=alice).count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_note_on_a_retired_entry_comes_back_and_its_editor_still_opens(client, people, read):
    alice = people[0]
    entry = read[30]
    revision = Revision.objects.create(curriculum=entry.curriculum, number=2, sha256="x")
    Entry.objects.filter(pk=entry.pk).update(retired_in=revision)
    found = {r.note.entry_id: r for r in resurfacing.pick(alice)}
    assert found[entry.pk].retired
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert "(since retired from the list)" in html
    page = client.get(found[entry.pk].edit_url.split("#")[0])
    assert page.status_code == 200 and 'id="my-note"' in page.content.decode()


@time_machine.travel(NOW, tick=False)
def test_home_shows_them_with_still_true_and_edit(client, people, read):
    alice, bob, _ = people
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert 'id="second-look"' in html and "Worth a second look" in html
    assert html.count('action="/notes/') == 3
    assert "Paper 20" not in html.split('id="second-look"')[1].split("</section>")[0]
    assert f'href="/curricula/course/entries/{read[7].pk}/#my-note"' in html
    client.force_login(bob)
    assert 'id="second-look"' not in client.get("/").content.decode()


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


@time_machine.travel(NOW, tick=False)
def test_home_reads_them_in_a_constant_number_of_queries(
    client, people, course, django_assert_max_num_queries, django_assert_num_queries
):
    alice, bob, _ = people
    factories.make_enrollment(alice, course)
    client.force_login(alice)
    entry = paper(course, "First")
    finish(alice, entry, 7)
    note(alice, entry, "One")
    with_one = _home_queries(client)
    for i in range(30):
        entry = paper(course, f"More {i}")
        finish(alice, entry, (7, 30, 90)[i % 3])
        note(alice, entry, f"Mine {i}")
        note(bob, entry, f"Bob's {i}", visibility="team")
    with django_assert_max_num_queries(with_one):
        html = client.get("/").content.decode()
    assert html.count('action="/notes/') == 3
    # Nothing finished in the windows: one query.
    with django_assert_num_queries(1):
        assert resurfacing.pick(bob) == []
    # My papers finished in the windows, then the notes on them with author, entry, curriculum.
    with django_assert_num_queries(2):
        found = resurfacing.pick(alice)
        assert {r.note.entry.curriculum.title for r in found} == {"Course"}
        assert all(r.note.user.username for r in found)


@time_machine.travel(NOW, tick=False)
def test_the_digest_has_a_worth_a_second_look_section(people, read, course):
    alice, bob, _ = people
    factories.make_enrollment(alice, course)
    factories.make_enrollment(bob, course)
    digests.member_digest_send(user=alice, period=digests.period_for(TODAY))
    digests.member_digest_send(user=bob, period=digests.period_for(TODAY))
    sent = {m.to[0]: m for m in mail.outbox}
    text = sent["alice@example.com"].body
    html = sent["alice@example.com"].alternatives[0][0]
    for body in (text, html):
        assert "Worth a second look" in body
        assert body.index("Paper 90") < body.index("Paper 30") < body.index("Paper 7")
        assert "Paper 20" not in body and "Paper 2<" not in body
        assert "http://testserver/#second-look" in body or "/#second-look" in body
        assert f"/curricula/course/entries/{read[7].pk}/#my-note" in body
    assert "Alice on the paper of 7 days ago." in text
    assert "**" not in text.split("Worth a second look")[1]
    assert "Worth a second look" not in sent["bob@example.com"].body


@time_machine.travel(NOW, tick=False)
def test_the_notes_query_is_not_compiled_by_the_orm_on_every_home_page(people, read):
    """The notes came from an ORM expression (FilteredRelation, Case, Exists, Window) that took
    ~26 ms of CPU to compile per home page; the query of my papers finished in the windows
    (~0.9 ms to compile) is plain SQL too: the ORM compiles nothing."""
    alice = people[0]
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as as_sql:
        found = resurfacing.pick(alice)
    assert [r.note.entry.title for r in found] == ["Paper 90", "Paper 30", "Paper 7"]
    assert as_sql.call_count == 0


def _expected(user, today):
    """pick() written out from the rules in Python, one note at a time, privacy through
    notes.access.can_see_note (the one place that decides)."""
    from notes.models import Progress

    notes = []
    for n in Note.objects.exclude(body="").filter(kind__in=["resource", "entry"]).order_by("pk"):
        if not access.can_see_note(user, n):
            continue
        if n.kind == "resource":
            progress = Progress.objects.filter(user=user, resource_id=n.resource_id).first()
        else:
            progress = Progress.objects.filter(
                user=user, entry_id=n.entry_id, resource__isnull=True
            ).first()
        if progress is None or progress.status != "done" or progress.finished_at is None:
            continue
        days = (today - timezone.localdate(progress.finished_at)).days
        interval = next((i for i, lo, hi in resurfacing.WINDOWS if lo <= days <= hi), None)
        if (
            interval is None
            or Reaffirmation.objects.filter(user=user, note=n, interval=interval).exists()
        ):
            continue
        notes.append((interval, n.user_id != user.pk, progress.finished_at, n.pk))
    queues = {i: sorted(x for x in notes if x[0] == i) for i, _, _ in resurfacing.WINDOWS}
    out, turn = [], 0
    while len(out) < resurfacing.SHOWN and any(queues.values()):
        queue = queues[resurfacing.WINDOWS[turn % 3][0]]
        if queue:
            interval, _, _, pk = queue.pop(0)
            out.append((pk, interval))
        turn += 1
    return out


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("seed", range(4))
def test_pick_agrees_with_the_rules_written_out_on_random_reading(people, course, seed):
    """Random papers and link-less entries, finished or not, on days around the windows;
    private, shared and empty notes of me, a teammate and an outsider; "Still true" for
    some intervals: pick() chooses what the rules, applied note by note, choose."""
    rng = random.Random(seed)
    alice, bob, carol = people
    for i in range(24):
        entry = factories.make_entry(course, f"P{i}", **({} if i % 4 else {"resource": None}))
        for person in (alice, bob, carol):
            if rng.random() < 0.7:
                finish(person, entry, rng.choice([5, 6, 9, 12, 13, 27, 30, 33, 34, 87, 90, 93]))
            if rng.random() < 0.6:
                body = rng.choice(["", "A thought", "**Bold** idea"])
                note(person, entry, body, visibility=rng.choice(["private", "team"]))
    for n in Note.objects.all():
        for interval, _, _ in resurfacing.WINDOWS:
            if rng.random() < 0.15:
                Reaffirmation.objects.create(user=alice, note=n, interval=interval, created_at=NOW)
    for person in (alice, bob, carol):
        expected = _expected(person, TODAY)
        assert [(r.note.pk, r.interval) for r in resurfacing.pick(person)] == expected
    assert _expected(alice, TODAY)  # the draw gave alice something to pick
