"""The team page: who may open it, what it shows (and never shows), and its query count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from notes import services as notes_services
from notes.models import Note
from teams import discussion
from teams.models import Comment, Membership
from teams.together import NOTES_PER_PAGE, THREAD_ON_PAGE
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def url(team):
    return reverse("teams:together", args=[team.slug])


def shared(user, entry, body):
    return factories.make_note(user, entry, body, visibility="team")


# --- who may open it -------------------------------------------------------------------------


def test_member_sees_the_team_page(client, team, alice):
    client.force_login(alice)
    response = client.get(url(team))
    assert response.status_code == 200
    assert "Research" in response.text
    assert "Finished this week" in response.text


def test_manager_of_the_team_sees_it_with_a_dashboard_link(client, team, manager):
    client.force_login(manager)
    response = client.get(url(team))
    assert response.status_code == 200
    assert reverse("teams:dashboard", args=[team.slug]) in response.text


def test_member_sees_no_dashboard_link(client, team, alice):
    client.force_login(alice)
    assert reverse("teams:dashboard", args=[team.slug]) not in client.get(url(team)).text


def test_outsider_gets_404(client, team, outsider):
    client.force_login(outsider)
    assert client.get(url(team)).status_code == 404


def test_superuser_outside_the_team_gets_404(client, team, admin_user):
    client.force_login(admin_user)
    assert client.get(url(team)).status_code == 404


def test_unknown_team_is_404(client, team, alice):
    client.force_login(alice)
    assert client.get(reverse("teams:together", args=["nope"])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, team):
    response = client.get(url(team))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_wrong_method_is_405(client, team, alice):
    client.force_login(alice)
    assert client.post(url(team)).status_code == 405


def test_navigation_links_every_signed_in_person_to_their_team(client, team, alice):
    client.force_login(alice)
    home = client.get(reverse("home"))
    assert f'href="{reverse("teams:mine")}"' in home.text
    response = client.get(reverse("teams:mine"))
    assert response.status_code == 302
    assert response["Location"] == url(team)


def test_someone_in_two_teams_chooses(client, team, alice):
    other = factories.make_team(alice, name="Other", slug="other")
    client.force_login(alice)
    response = client.get(reverse("teams:mine"))
    assert response.status_code == 200
    assert url(team) in response.text and url(other) in response.text


def test_someone_in_no_team_is_told_so(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("teams:mine"))
    assert response.status_code == 200
    assert "not in a team yet" in response.text


# --- what it shows ---------------------------------------------------------------------------


def test_shared_notes_newest_first_and_private_ones_never(client, team, alice, bob, entries):
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        shared(alice, entries[0], "Alice older shared thought")
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        shared(bob, entries[1], "Bob newer shared thought")
        factories.make_note(bob, entries[2], "Bob PRIVATE diary")
    client.force_login(alice)
    with time_machine.travel(NOW, tick=False):
        text = client.get(url(team)).text
    assert text.index("Bob newer") < text.index("Alice older")
    assert "PRIVATE" not in text


def test_a_note_made_private_again_leaves_the_page(client, team, alice, bob, entries):
    note = shared(bob, entries[0], "Shared, then taken back")
    notes_services.note_save(
        actor=bob,
        target=notes_services.NoteTarget.for_entry(entries[0]),
        body=note.body,
        visibility="private",
        base_version=note.version,
    )
    client.force_login(alice)
    assert "taken back" not in client.get(url(team)).text
    thread = reverse("teams:thread", args=[team.slug, note.pk])
    assert client.get(thread).status_code == 404


def test_notes_of_people_outside_the_team_never_appear(client, team, alice, outsider, entries):
    # The outsider shares with their own team; that is not this team's business.
    factories.make_team(outsider, name="Elsewhere", slug="elsewhere")
    shared(outsider, entries[0], "Outsider shared note")
    client.force_login(alice)
    assert "Outsider" not in client.get(url(team)).text


def test_a_teammates_note_shared_in_another_team_shows_only_its_own_thread(
    client, team, alice, bob, outsider, entries
):
    """Bob is also in a team with the outsider: the note shows on both pages, each with the
    discussion of its own team."""
    other = factories.make_team(bob, outsider, name="Side", slug="side")
    note = shared(bob, entries[0], "Bob note for both teams")
    discussion.comment_post(actor=outsider, team=other, note=note, body="Said in the side team")
    client.force_login(alice)
    text = client.get(url(team)).text
    assert "Bob note for both teams" in text
    assert "Said in the side team" not in text


def test_finished_this_week_lists_done_marks_of_the_last_seven_days(
    client, team, alice, bob, entries
):
    with time_machine.travel(NOW - dt.timedelta(days=9), tick=False):
        notes_services.progress_set(actor=bob, entry=entries[0], status="done")
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        notes_services.progress_set(actor=bob, entry=entries[1], status="done")
        notes_services.progress_set(actor=alice, entry=entries[2], status="done")
        # Marked done, then back to reading: not finished.
        notes_services.progress_set(actor=alice, entry=entries[3], status="done")
        notes_services.progress_set(actor=alice, entry=entries[3], status="reading")
    client.force_login(alice)
    with time_machine.travel(NOW, tick=False):
        text = client.get(url(team)).text
    section = text[text.index("Finished this week") : text.index("Shared notes")]
    assert "Second paper" in section and "Third paper" in section
    assert "First paper" not in section  # nine days ago
    assert "A talk" not in section  # no longer done
    assert "Bob Brown" in section and "Alice Adams" in section


def test_finished_this_week_counts_a_paper_once(client, team, bob, entries, alice):
    """Marked done, undone and done again within the week: one line."""
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        for status in ["done", "reading", "done"]:
            notes_services.progress_set(actor=bob, entry=entries[0], status=status)
    client.force_login(alice)
    with time_machine.travel(NOW, tick=False):
        text = client.get(url(team)).text
    section = text[text.index("Finished this week") : text.index("Shared notes")]
    assert section.count("First paper") == 1
    assert "finished 1" in section


def test_outsiders_reading_is_not_listed(client, team, alice, outsider, entries):
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        notes_services.progress_set(actor=outsider, entry=entries[0], status="done")
    client.force_login(alice)
    with time_machine.travel(NOW, tick=False):
        text = client.get(url(team)).text
    assert "Nobody marked anything done" in text


def test_long_notes_show_their_beginning_and_link_to_the_whole(client, team, alice, bob, entries):
    body = "First paragraph.\n\n" + ("word " * 400) + "\n\nThe hidden ending."
    note = shared(bob, entries[0], body)
    client.force_login(alice)
    text = client.get(url(team)).text
    assert "First paragraph." in text and "The hidden ending." not in text
    assert "Read the whole note" in text
    whole = client.get(reverse("teams:thread", args=[team.slug, note.pk])).text
    assert "The hidden ending." in whole


def test_notes_are_paged_with_an_older_link(client, team, alice, bob):
    c = factories.make_curriculum()
    for i in range(NOTES_PER_PAGE + 2):
        with time_machine.travel(NOW - dt.timedelta(hours=i), tick=False):
            shared(bob, factories.make_entry(c, f"Paper {i:02d}"), f"Thought number {i:02d}")
    client.force_login(alice)
    first = client.get(url(team)).text
    assert "Thought number 00" in first and f"Thought number {NOTES_PER_PAGE:02d}" not in first
    assert "Older notes" in first
    second = client.get(url(team) + "?page=2").text
    assert f"Thought number {NOTES_PER_PAGE:02d}" in second and "Newer notes" in second
    assert client.get(url(team) + "?page=abc").status_code == 200
    assert client.get(url(team) + "?page=999").status_code == 200


def test_thread_page_bad_note_id_is_404(client, team, alice, bob, entries):
    private = factories.make_note(bob, entries[0], "private")
    client.force_login(alice)
    assert client.get(reverse("teams:thread", args=[team.slug, 999999])).status_code == 404
    assert client.get(reverse("teams:thread", args=[team.slug, private.pk])).status_code == 404


def test_thread_page_for_outsider_is_404(client, team, outsider, bob, entries):
    note = shared(bob, entries[0], "shared")
    client.force_login(outsider)
    assert client.get(reverse("teams:thread", args=[team.slug, note.pk])).status_code == 404


def test_the_page_shows_the_latest_comments_and_links_to_the_rest(
    client, team, alice, bob, entries
):
    note = shared(bob, entries[0], "Discuss")
    for i in range(THREAD_ON_PAGE + 3):
        with time_machine.travel(NOW + dt.timedelta(minutes=i), tick=False):
            discussion.comment_post(actor=alice, team=team, note=note, body=f"comment-{i:02d}")
    client.force_login(bob)
    text = client.get(url(team)).text
    assert "comment-00" not in text and f"comment-{THREAD_ON_PAGE + 2:02d}" in text
    assert "3 earlier comments" in text
    whole = client.get(reverse("teams:thread", args=[team.slug, note.pk])).text
    assert "comment-00" in whole


# --- queries ---------------------------------------------------------------------------------


def _grow(team, people: int, notes_each: int, comments_each: int):
    c = factories.make_curriculum()
    users = [factories.make_user() for _ in range(people)]
    Membership.objects.bulk_create([Membership(team=team, user=u) for u in users])
    for u in users:
        for _ in range(notes_each):
            entry = factories.make_entry(c)
            note = shared(u, entry, f"A note by {u.username} @alice")
            notes_services.progress_set(actor=u, entry=entry, status="done")
            Comment.objects.bulk_create(
                Comment(team=team, note=note, author=users[0], body="@alice yes", created_at=NOW)
                for _ in range(comments_each)
            )


@pytest.mark.parametrize("size", [(1, 1, 1), (12, 3, 8)], ids=["small", "big"])
def test_team_page_queries_do_not_grow(client, team, alice, size, django_assert_max_num_queries):
    _grow(team, *size)
    client.force_login(alice)
    client.get(url(team))  # warm the session
    with django_assert_max_num_queries(9):
        response = client.get(url(team))
    assert response.status_code == 200
    shown = len(re.findall(r'class="team-note"', response.text))
    assert shown == min(size[0] * size[1], NOTES_PER_PAGE)


@pytest.mark.parametrize("comments", [1, 40])
def test_thread_page_queries_do_not_grow(
    client, team, alice, bob, entries, comments, django_assert_max_num_queries
):
    note = shared(bob, entries[0], "Discuss")
    Comment.objects.bulk_create(
        Comment(team=team, note=note, author=bob, body=f"c{i} @alice", created_at=NOW)
        for i in range(comments)
    )
    client.force_login(alice)
    client.get(reverse("teams:thread", args=[team.slug, note.pk]))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("teams:thread", args=[team.slug, note.pk]))
    assert response.text.count('class="comment"') == comments


def test_private_note_never_appears_even_among_many(client, team, alice, bob):
    """Private notes of every teammate, everywhere on the page, at any page."""
    c = factories.make_curriculum()
    for i in range(NOTES_PER_PAGE + 1):
        factories.make_note(bob, factories.make_entry(c), f"secret-{i}")
        shared(bob, factories.make_entry(c), f"open-{i}")
    client.force_login(alice)
    for page in (1, 2):
        text = client.get(url(team) + f"?page={page}").text
        assert "secret-" not in text
    assert Note.objects.filter(body__startswith="secret-", visibility="private").count() == (
        NOTES_PER_PAGE + 1
    )


def test_someone_who_left_the_team_takes_their_notes_off_its_page(
    client, team, alice, bob, entries
):
    shared(bob, entries[0], "Bob was here")
    Membership.objects.filter(team=team, user=bob).delete()
    client.force_login(alice)
    assert "Bob was here" not in client.get(url(team)).text
