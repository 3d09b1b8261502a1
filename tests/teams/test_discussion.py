"""Comments under shared notes: posting (once), removing, @mentions and the mails they send."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from teams import discussion, people, tasks
from teams.models import Comment, CommentNotice, DigestPreference
from tests import factories
from tests.notes.htmlcheck import assert_inert, elements

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


def post_url(team, note):
    return reverse("teams:comment_create", args=[team.slug, note.pk])


def post(client, team, note, body, key="k1", **extra):
    return client.post(post_url(team, note), {"body": body, "key": key}, **extra)


# --- posting ---------------------------------------------------------------------------------


def test_member_comments_without_javascript(client, team, bob, note):
    client.force_login(bob)
    response = post(client, team, note, "Agree, **mostly**")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#note-{note.pk}")
    comment = Comment.objects.get()
    assert (comment.author, comment.team, comment.note) == (bob, team, note)
    page = client.get(response["Location"]).text
    assert "<strong>mostly</strong>" in page and "Comment posted." in page


def test_member_comments_with_htmx_and_gets_the_thread_back(client, team, bob, note):
    client.force_login(bob)
    response = post(client, team, note, "Agree", **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<section class="thread" id="thread-{note.pk}"')
    assert "Agree" in response.text
    assert "<html" not in response.text


def test_manager_of_the_team_may_comment(client, team, manager, note):
    client.force_login(manager)
    assert post(client, team, note, "Nice").status_code == 302
    assert Comment.objects.filter(author=manager).count() == 1


def test_outsider_cannot_comment(client, team, outsider, note):
    client.force_login(outsider)
    assert post(client, team, note, "Let me in").status_code == 404
    assert not Comment.objects.exists()


def test_nobody_comments_on_a_private_note(client, team, alice, bob, entries):
    private = factories.make_note(alice, entries[1], "mine only")
    client.force_login(bob)
    assert post(client, team, private, "Peek").status_code == 404
    assert not Comment.objects.exists()


def test_comment_on_unknown_note_is_404(client, team, bob):
    client.force_login(bob)
    url = reverse("teams:comment_create", args=[team.slug, 999999])
    assert client.post(url, {"body": "x"}).status_code == 404


def test_get_on_the_comment_url_is_405(client, team, bob, note):
    client.force_login(bob)
    assert client.get(post_url(team, note)).status_code == 405


@pytest.mark.parametrize(
    "body, message",
    [("   ", "This field is required"), ("x" * (discussion.MAX_COMMENT_CHARS + 1), "at most")],
    ids=["empty", "too-long"],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_invalid_comment_is_422_with_a_message(client, team, bob, note, body, message, htmx):
    client.force_login(bob)
    response = post(client, team, note, body, **(HTMX if htmx else {}))
    assert response.status_code == 422
    assert message in response.text
    assert not Comment.objects.exists()


def test_a_nul_character_is_a_clear_422(client, team, bob, note):
    client.force_login(bob)
    response = post(client, team, note, "bad \x00 byte")
    assert response.status_code == 422
    assert not Comment.objects.exists()


def test_double_submit_with_the_same_key_makes_one_comment(client, team, bob, note):
    client.force_login(bob)
    first = post(client, team, note, "Once", key="same", **HTMX)
    second = post(client, team, note, "Once", key="same", **HTMX)
    assert first.status_code == second.status_code == 200
    assert Comment.objects.count() == 1
    assert second.text.count("Once") == 1


def test_same_words_within_seconds_are_one_comment_even_without_a_key(team, bob, note):
    with time_machine.travel(NOW, tick=False):
        _, new = discussion.comment_post(actor=bob, team=team, note=note, body="Hi")
    with time_machine.travel(NOW + dt.timedelta(seconds=5), tick=False):
        _, again = discussion.comment_post(actor=bob, team=team, note=note, body="Hi")
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        _, later = discussion.comment_post(actor=bob, team=team, note=note, body="Hi")
    assert (new, again, later) == (True, False, True)
    assert Comment.objects.count() == 2


def test_a_flood_of_comments_is_refused_with_a_message(client, team, bob, note):
    client.force_login(bob)
    with time_machine.travel(NOW, tick=False):
        for i in range(discussion.RATE_LIMIT):
            assert post(client, team, note, f"c{i}", key=f"k{i}").status_code == 302
        response = post(client, team, note, "one too many", key="last")
    assert response.status_code == 422
    assert "wait a moment" in response.text
    assert Comment.objects.count() == discussion.RATE_LIMIT


# --- removing --------------------------------------------------------------------------------


def test_author_removes_a_comment_and_the_thread_keeps_its_place(client, team, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="Oops, wrong")
    client.force_login(bob)
    url = reverse("teams:comment_remove", args=[team.slug, comment.pk])
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    assert "Comment removed" in response.text and "Oops" not in response.text
    comment.refresh_from_db()
    assert comment.removed_at is not None
    assert comment.body == "Oops, wrong"  # retired, not deleted: the record stays
    page = client.get(reverse("teams:together", args=[team.slug])).text
    assert "Comment removed" in page and "Oops" not in page


def test_removing_without_javascript_redirects_back(client, team, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="bye")
    client.force_login(bob)
    response = client.post(reverse("teams:comment_remove", args=[team.slug, comment.pk]))
    assert response.status_code == 302
    assert Comment.objects.get().removed


def test_nobody_else_removes_a_comment(client, team, alice, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="mine")
    client.force_login(alice)  # the note's writer, but not the comment's
    response = client.post(reverse("teams:comment_remove", args=[team.slug, comment.pk]))
    assert response.status_code == 404
    assert not Comment.objects.get().removed


def test_remove_wrong_method_and_bad_id(client, team, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="mine")
    client.force_login(bob)
    url = reverse("teams:comment_remove", args=[team.slug, comment.pk])
    assert client.get(url).status_code == 405
    bad = reverse("teams:comment_remove", args=[team.slug, 999999])
    assert client.post(bad).status_code == 404


def test_remove_for_outsider_is_404(client, team, bob, outsider, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="mine")
    client.force_login(outsider)
    url = reverse("teams:comment_remove", args=[team.slug, comment.pk])
    assert client.post(url).status_code == 404


# --- rendering -------------------------------------------------------------------------------


def test_mentions_of_teammates_are_highlighted_others_are_plain(client, team, alice, bob, note):
    discussion.comment_post(
        actor=bob, team=team, note=note, body="@alice see @outsider and `@alice` <script>x</script>"
    )
    client.force_login(bob)
    text = client.get(reverse("teams:together", args=[team.slug])).text
    assert '<span class="mention" title="Alice Adams">@alice</span>' in text
    assert "@outsider" in text and 'title="outsider"' not in text
    assert "<code>@alice</code>" in text
    assert "<script>x" not in text and "&lt;script&gt;" in text


# --- mails -----------------------------------------------------------------------------------


def test_mentioned_teammate_gets_one_mail(team, alice, bob, manager, note, eager):
    with eager(execute=True):
        discussion.comment_post(
            actor=bob, team=team, note=note, body="@boss and @alice: is this right?"
        )
    sent = {m.to[0]: m for m in mail.outbox}
    # Alice is mentioned and wrote the note: one mail, as a mention.
    assert set(sent) == {"alice@example.com", "boss@example.com"}
    assert sent["boss@example.com"].subject == "Bob Brown mentioned you on “First paper”"
    assert "is this right?" in sent["alice@example.com"].body
    html = sent["alice@example.com"].alternatives[0][0]
    assert '<span class="mention"' in html
    assert reverse("teams:thread", args=[team.slug, note.pk]) in sent["alice@example.com"].body


def test_the_notes_writer_hears_of_a_comment(team, alice, bob, note, eager):
    with eager(execute=True):
        discussion.comment_post(actor=bob, team=team, note=note, body="Nice one")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert mail.outbox[0].subject == "Bob Brown commented on your note “First paper”"


def test_mentioning_an_outsider_or_yourself_sends_nothing(team, alice, outsider, note, eager):
    with eager(execute=True):
        discussion.comment_post(actor=alice, team=team, note=note, body="@outsider @alice hm")
    assert mail.outbox == []
    assert not CommentNotice.objects.exists()


def test_someone_who_turned_discussion_mails_off_gets_none(client, team, alice, bob, note, eager):
    client.force_login(alice)
    response = client.post(reverse("teams:discussion_emails"), {})
    assert response.status_code == 302
    assert DigestPreference.objects.get(user=alice).discussion_emails is False
    with eager(execute=True):
        discussion.comment_post(actor=bob, team=team, note=note, body="@alice ping")
    assert mail.outbox == []
    assert CommentNotice.objects.get().skipped == "opted out"


def test_settings_page_shows_and_turns_discussion_mails_back_on(client, alice):
    discussion.discussion_emails_set(actor=alice, on=False)
    client.force_login(alice)
    page = client.get(reverse("teams:digest")).text
    assert (
        'name="discussion_emails"' in page
        and "checked" not in page.split("discussion_emails")[1][:80]
    )
    client.post(reverse("teams:discussion_emails"), {"discussion_emails": "on"})
    assert discussion.wants_discussion_emails(alice)
    box = re.search(
        r'<input[^>]*name="discussion_emails"[^>]*>', client.get(reverse("teams:digest")).text
    )
    assert box is not None and "checked" in box.group(0)


def test_discussion_switch_is_post_only(client, alice):
    client.force_login(alice)
    assert client.get(reverse("teams:discussion_emails")).status_code == 405


def test_the_weekly_digest_switch_does_not_silence_mentions(team, alice, bob, note, eager):
    DigestPreference.objects.create(user=alice, weekly_digest=False)
    with eager(execute=True):
        discussion.comment_post(actor=bob, team=team, note=note, body="@alice ping")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_mails_go_after_the_commit_and_a_rerun_sends_nothing_twice(
    team, alice, bob, note, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="@alice hey")
    assert len(queued) == 1 and mail.outbox == []  # nothing before the commit
    assert tasks.send_comment_notices(comment.pk) == 1
    assert tasks.send_comment_notices(comment.pk) == 0
    assert len(mail.outbox) == 1
    assert CommentNotice.objects.get().sent_at is not None


def test_a_failed_send_gives_its_claim_back_for_the_retry(team, alice, bob, note, monkeypatch):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="@alice hey")

    def broken(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(discussion, "_mail", broken)
    with pytest.raises(ConnectionError):
        discussion.comment_notices_send(comment_id=comment.pk)
    assert CommentNotice.objects.get().sent_at is None
    monkeypatch.undo()
    assert discussion.comment_notices_send(comment_id=comment.pk) == 1


def test_a_comment_removed_before_its_mail_goes_is_not_mailed(team, alice, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="@alice oops")
    discussion.comment_remove(actor=bob, comment=comment)
    assert discussion.comment_notices_send(comment_id=comment.pk) == 0
    assert mail.outbox == []
    assert CommentNotice.objects.get().skipped == "comment removed"


def test_a_comment_gone_before_its_task_runs_is_quietly_skipped(db):
    assert tasks.send_comment_notices(987654) == 0


# --- people leaving, admin -------------------------------------------------------------------


def test_erasing_a_person_counts_and_removes_their_comments(team, alice, bob, manager, note):
    discussion.comment_post(actor=bob, team=team, note=note, body="bob's words")
    gone = dict(people.person_erase(actor=manager, person=bob))
    assert gone["comments"] == 1
    assert not Comment.objects.exists()


def test_admin_lists_comments_and_retires_one(client, admin_user, team, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="off-topic")
    client.force_login(admin_user)
    changelist = reverse("admin:teams_comment_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(reverse("admin:teams_comment_change", args=[comment.pk])).status_code == 200
    response = client.post(
        changelist, {"action": "retire", "_selected_action": [comment.pk]}, follow=True
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.removed and comment.body == "off-topic"


# --- editing ---------------------------------------------------------------------------------


def edit_url(team, comment):
    return reverse("teams:comment_edit", args=[team.slug, comment.pk])


def test_author_edits_a_comment_in_place(client, team, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="Frist")
    client.force_login(bob)
    form = client.get(edit_url(team, comment), **HTMX)
    assert form.status_code == 200
    assert form.text.lstrip().startswith(f'<li id="comment-{comment.pk}" class="comment editing">')
    assert ">Frist</textarea>" in form.text
    response = client.post(edit_url(team, comment), {"body": "First"}, **HTMX)
    assert response.status_code == 200
    assert f'id="thread-{note.pk}"' in response.text
    # Its author's "edited" opens the comment's history (test_comment_revisions.py).
    history = reverse("teams:comment_history", args=[team.slug, comment.pk])
    assert "First" in response.text and f'· <a href="{history}">edited</a>' in response.text
    comment.refresh_from_db()
    assert comment.body == "First" and comment.edited_at is not None


def test_editing_works_without_javascript(client, team, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="Frist")
    client.force_login(bob)
    page = client.get(edit_url(team, comment))
    assert page.status_code == 200 and "<html" in page.text and "Edit your comment" in page.text
    response = client.post(edit_url(team, comment), {"body": "First"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#note-{note.pk}")
    assert Comment.objects.get().body == "First"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_an_invalid_edit_is_422_and_changes_nothing(client, team, bob, note, htmx):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="Keep me")
    client.force_login(bob)
    response = client.post(edit_url(team, comment), {"body": "  "}, **(HTMX if htmx else {}))
    assert response.status_code == 422
    assert "This field is required" in response.text
    if htmx:
        assert response["HX-Retarget"] == f"#comment-{comment.pk}"
    assert Comment.objects.get().body == "Keep me"


def test_nobody_else_edits_a_comment(client, team, alice, bob, outsider, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="mine")
    for person in (alice, outsider):
        client.force_login(person)
        assert client.get(edit_url(team, comment)).status_code == 404
        assert client.post(edit_url(team, comment), {"body": "theirs"}).status_code == 404
    assert Comment.objects.get().body == "mine"


def test_a_removed_comment_cannot_be_edited(client, team, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="gone")
    discussion.comment_remove(actor=bob, comment=comment)
    client.force_login(bob)
    assert client.get(edit_url(team, comment)).status_code == 404
    assert client.post(edit_url(team, comment), {"body": "back"}).status_code == 404


def test_edit_wrong_method_and_bad_id(client, team, bob, note):
    comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="mine")
    client.force_login(bob)
    assert client.put(edit_url(team, comment)).status_code == 405
    bad = reverse("teams:comment_edit", args=[team.slug, 999999])
    assert client.get(bad).status_code == 404


def test_an_edit_mails_only_the_newly_mentioned(team, alice, bob, manager, note, eager):
    with eager(execute=True):
        comment, _ = discussion.comment_post(actor=bob, team=team, note=note, body="Hm")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]  # the note's writer
    with eager(execute=True):
        discussion.comment_edit(actor=bob, comment=comment, body="Hm, @alice @boss?")
    assert [m.to for m in mail.outbox] == [["alice@example.com"], ["boss@example.com"]]
    with eager(execute=True):
        discussion.comment_edit(actor=bob, comment=comment, body="Hm, @alice @boss!")
    assert len(mail.outbox) == 2


def test_a_hostile_comment_renders_inert(client, team, bob, note):
    discussion.comment_post(
        actor=bob,
        team=team,
        note=note,
        body="[x](javascript:alert(1)) <img src=x onerror=alert(1)> ![p](https://t.example/p.png)",
    )
    client.force_login(bob)
    text = client.get(reverse("teams:together", args=[team.slug])).text
    thread = text[text.index(f'id="thread-{note.pk}"') :]
    assert_inert(thread)
    # No images in comments at all (a remote one would tell its host who read the thread).
    assert [tag for tag, _ in elements(thread) if tag == "img"] == []
