"""A list's revisions since my last visit: what was added, retired and relinked, and which of
the retired entries I had finished (my progress no longer counts them), on home and in the
digest, until I mark them seen."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curricula.models import Entry
from curricula.services import curriculum_import
from notes.models import Enrollment, Progress
from teams import digests
from tests import factories

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
FIRST = """# List

## Topic

- [Scaling Laws](https://openreview.net/pdf?id=abc123)
- [Finished Then Retired](https://example.org/retired)
- [Unread Then Retired](https://example.org/unread)
- [Stays](https://example.org/stays)
"""
SECOND = (
    FIRST.replace("https://openreview.net/pdf?id=abc123", "https://arxiv.org/abs/2001.08361")
    .replace("- [Finished Then Retired](https://example.org/retired)\n", "")
    .replace("- [Unread Then Retired](https://example.org/unread)\n", "")
    + "- [Brand New Paper](https://example.org/new)\n"
)
THIRD = SECOND + "- [Third Revision Paper](https://example.org/third)\n"


def _import(text: str, when: dt.datetime) -> None:
    with time_machine.travel(when, tick=False):
        curriculum_import(actor=None, text=text, slug="changing")


@pytest.fixture
def changed(member):
    """Revision 1 before I followed; I finished one entry; revision 2 retired it."""
    _import(FIRST, T0)
    curriculum = Entry.objects.get(title="Stays").curriculum
    factories.make_enrollment(member, curriculum, started_at=T0 + dt.timedelta(hours=1))
    for title in ("Finished Then Retired", "Stays"):
        resource = Entry.objects.get(title=title).resource
        Progress.objects.create(user=member, resource=resource, status="done", updated_at=T0)
    _import(SECOND, T0 + dt.timedelta(days=1))
    return curriculum


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_home_lists_the_revision_and_the_finished_entry_it_retired(client, member, changed):
    client.force_login(member)
    page = _home(client)
    assert "Changed since your last visit" in page
    assert "Revision 2" in page and "Revision 1<" not in page  # r1 came before I followed
    assert "1 added, 2 retired, 1 relinked" in page
    assert "Brand New Paper" in page and "Scaling Laws" in page
    assert "You had finished Finished Then Retired;" in page
    assert "Unread Then Retired;" not in page  # retired, but I had not finished it


def test_marking_seen_clears_them_until_the_next_revision(client, member, changed):
    client.force_login(member)
    assert client.get(f"/changes/{changed.slug}/seen").status_code == 405
    response = client.post(f"/changes/{changed.slug}/seen", {"upto": "2"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Changed since your last visit" not in _home(client)
    _import(THIRD, timezone.now() + dt.timedelta(minutes=1))
    page = _home(client)
    assert "Revision 3" in page and "Revision 2" not in page
    assert "Third Revision Paper" in page and "You had finished" not in page


def test_seen_up_to_the_revision_shown_keeps_a_later_one_unseen(client, member, changed):
    _import(THIRD, timezone.now() + dt.timedelta(minutes=1))
    client.force_login(member)
    client.post(f"/changes/{changed.slug}/seen", {"upto": "2"})
    page = _home(client)
    assert "Revision 3" in page and "Revision 2" not in page


def test_seen_needs_to_follow_the_list_and_bad_input_is_no_error(client, owner, member, changed):
    client.force_login(owner)
    assert client.post(f"/changes/{changed.slug}/seen").status_code == 404
    assert client.post("/changes/nope/seen").status_code == 404
    client.force_login(member)
    response = client.post(f"/changes/{changed.slug}/seen", {"upto": "9" * 30})
    assert response.status_code == 302
    assert Enrollment.objects.get(user=member).changes_seen_at is not None


def test_the_digest_names_unseen_changes_and_not_seen_ones(client, member, changed):
    member.email = "member@example.com"
    member.save()
    assert digests.member_digest_send(user=member, period=dt.date(2026, 11, 16))
    body = mail.outbox[0].body
    html = mail.outbox[0].alternatives[0][0]
    for text in (body, html):
        assert "Changed in revision 2" in text and "1 added, 2 retired, 1 relinked" in text
        assert "You had finished Finished Then Retired;" in text
    client.force_login(member)
    client.post(f"/changes/{changed.slug}/seen", {"upto": "2"})
    assert digests.member_digest_send(user=member, period=dt.date(2026, 11, 23))
    assert "Changed in revision" not in mail.outbox[1].body


def test_home_queries_do_not_grow_with_revisions(client, member, changed):
    """The usual home (tests/notes/test_performance.py, 11) plus three: the revisions, their
    entries, my finished ones among those retired; the same for one revision or six."""
    client.force_login(member)
    with CaptureQueriesContext(connection) as one:
        _home(client)
    for n in range(5):
        text = THIRD + "".join(f"- [Extra {i}](https://example.org/x{i})\n" for i in range(n + 1))
        _import(text, timezone.now() + dt.timedelta(minutes=n + 1))
    with CaptureQueriesContext(connection) as six:
        page = _home(client)
    assert "Revision 7" in page and "Revision 2" in page and "Extra 4" in page
    assert len(six) == len(one) <= 14
