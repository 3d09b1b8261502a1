"""Editing a comment keeps every earlier version: its author (and admins) can read them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from teams import discussion, people
from teams.models import Comment, CommentRevision

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def edited(team, bob, note):
    """Bob's comment, written at noon and changed twice, a few minutes apart."""
    with time_machine.travel(NOW, tick=False):
        comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="Frist words")
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        discussion.comment_edit(actor=bob, comment=comment, body="First words")
    with time_machine.travel(NOW + dt.timedelta(minutes=9), tick=False):
        discussion.comment_edit(actor=bob, comment=comment, body="Second thoughts")
    comment.refresh_from_db()
    return comment


def history_url(team, comment):
    return reverse("teams:comment_history", args=[team.slug, comment.pk])


def test_every_earlier_version_of_an_edited_comment_is_kept(edited):
    revisions = list(edited.revisions.order_by("replaced_at"))
    assert [r.body for r in revisions] == ["Frist words", "First words"]
    assert [r.written_at for r in revisions] == [NOW, NOW + dt.timedelta(minutes=5)]
    assert [r.replaced_at for r in revisions] == [
        NOW + dt.timedelta(minutes=5),
        NOW + dt.timedelta(minutes=9),
    ]
    assert edited.body == "Second thoughts"


def test_the_same_words_again_make_no_revision(team, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="Same")
    assert discussion.comment_edit(actor=bob, comment=comment, body="Same") is False
    assert not CommentRevision.objects.exists()


def test_author_reads_the_history_of_their_comment(client, team, bob, edited):
    client.force_login(bob)
    page = client.get(history_url(team, edited))
    assert page.status_code == 200
    text = page.text
    assert "Frist words" in text and "First words" in text and "Second thoughts" in text
    # Newest first: what it says now, then what it said before.
    assert text.index("Second thoughts") < text.index("First words") < text.index("Frist words")


def test_the_thread_links_edited_to_the_history_for_its_author_only(
    client, team, alice, bob, edited
):
    thread = reverse("teams:thread", args=[team.slug, edited.note_id])
    client.force_login(bob)
    assert history_url(team, edited) in client.get(thread).text
    client.force_login(alice)
    page = client.get(thread).text
    assert "· edited" in page and history_url(team, edited) not in page
    assert "Frist words" not in page


def test_nobody_else_reads_a_comments_history(client, team, alice, manager, outsider, edited):
    for someone in (alice, manager, outsider):
        client.force_login(someone)
        assert client.get(history_url(team, edited)).status_code == 404


def test_history_wrong_method_and_bad_id(client, team, bob, edited):
    client.force_login(bob)
    assert client.post(history_url(team, edited)).status_code == 405
    bad = reverse("teams:comment_history", args=[team.slug, 999999])
    assert client.get(bad).status_code == 404


def test_the_author_still_reads_the_history_of_a_removed_comment(client, team, bob, edited):
    discussion.comment_remove(actor=bob, comment=edited)
    client.force_login(bob)
    assert "Frist words" in client.get(history_url(team, edited)).text


def test_admin_sees_the_history_read_only(client, admin_user, edited):
    client.force_login(admin_user)
    page = client.get(reverse("admin:teams_comment_change", args=[edited.pk]))
    assert page.status_code == 200
    assert "Frist words" in page.text and "First words" in page.text
    assert 'name="revisions-0-body"' not in page.text  # shown, not editable
    assert 'name="revisions-0-DELETE"' not in page.text


def test_erasing_a_person_removes_their_comments_revisions(team, bob, manager, edited):
    gone = dict(people.person_erase(actor=manager, person=bob))
    assert gone["comment revisions"] == 2
    assert not CommentRevision.objects.exists() and not Comment.objects.exists()


def test_anonymising_a_person_removes_their_comments_revisions(team, bob, manager, edited):
    gone = dict(people.person_anonymise(actor=manager, person=bob))
    assert gone["comment revisions"] == 2
    assert not CommentRevision.objects.exists() and not Comment.objects.exists()
