"""Autosave coalescing: saves close together are one session of editing and update one
version; a pause, a change of visibility or a restore starts a new one; a stale tab is still a
conflict although the version number has not moved; restore still works."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine

from notes.models import Activity, Note

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


class Tab:
    """One editor in a browser tab: it sends back the hidden fields the last answer gave it,
    as htmx's out-of-band swaps do."""

    def __init__(self, client, url, version=0, saves=0):
        self.client, self.url = client, url
        self.fields = {"base_version": str(version), "base_saves": str(saves)}

    def save(self, body, visibility="private", **extra):
        data = {"body": body, "visibility": visibility, **self.fields, **extra}
        response = self.client.post(self.url, data, **HX)
        html = response.content.decode()
        for name in ("base_version", "base_saves"):
            found = re.search(rf'name="{name}" id="note-base-[a-z]+" value="(\d*)"', html)
            if found:
                self.fields[name] = found.group(1)
        return response


def url_for(entry):
    return f"/notes/entry/{entry.pk}/edit"


def test_six_sentences_with_short_pauses_make_one_version(client, owner, entries, clock):
    client.force_login(owner)
    tab = Tab(client, url_for(entries[0]))
    text = ""
    for i in range(6):
        text += f"Sentence {i}. "
        assert tab.save(text).status_code == 200
        clock.shift(dt.timedelta(seconds=50))
    note = Note.objects.get(user=owner)
    assert (note.version, note.saves, note.body) == (1, 6, text)
    only = note.versions.get()
    assert (only.body, only.saves, only.created_at) == (text, 6, START)
    assert only.edited_at == START + dt.timedelta(seconds=250)
    # One line in the log for the session, not one per keystroke pause.
    assert Activity.objects.filter(user=owner, verb=Activity.Verb.NOTE_SAVED).count() == 1
    history = client.get(f"/notes/{note.pk}/history/").content.decode()
    assert "09:00–09:04" in history and "6 saves" in history


def test_a_pause_or_sharing_starts_a_new_version(client, owner, entries, clock):
    client.force_login(owner)
    tab = Tab(client, url_for(entries[0]))
    tab.save("one")
    clock.shift(dt.timedelta(minutes=4))
    tab.save("one two")  # within the session: the pause is measured from the last save
    clock.shift(dt.timedelta(minutes=4, seconds=59))
    tab.save("one two three")
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    tab.save("after lunch")
    clock.shift(dt.timedelta(seconds=10))
    tab.save("after lunch", visibility="team")
    note = Note.objects.get(user=owner)
    bodies = list(note.versions.order_by("number").values_list("number", "body", "visibility"))
    assert bodies == [
        (1, "one two three", "private"),
        (2, "after lunch", "private"),
        (3, "after lunch", "team"),
    ]


def test_restore_is_its_own_version_and_the_next_save_is_another(client, owner, entries, clock):
    client.force_login(owner)
    tab = Tab(client, url_for(entries[0]))
    tab.save("first draft")
    tab.save("first draft, better")
    clock.shift(dt.timedelta(minutes=30))
    tab.save("rewritten")
    note = Note.objects.get(user=owner)
    assert note.version == 2
    response = client.post(f"/notes/{note.pk}/versions/1/restore")
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.version, note.body) == (3, "first draft, better")
    # The open tab has not seen the restore: its save is a conflict, nothing overwritten.
    assert tab.save("rewritten, more").status_code == 409
    note.refresh_from_db()
    assert note.body == "first draft, better"
    fresh = Tab(client, url_for(entries[0]), note.version, note.saves)
    fresh.save("first draft, better, and more")
    note.refresh_from_db()
    assert note.version == 4  # not folded into the restore
    assert note.versions.get(number=3).body == "first draft, better"


def test_a_stale_tab_is_a_conflict_although_the_version_did_not_move(client, owner, entries, clock):
    client.force_login(owner)
    url = url_for(entries[0])
    first = Tab(client, url)
    first.save("start")
    note = Note.objects.get(user=owner)
    a = Tab(client, url, note.version, note.saves)
    b = Tab(client, url, note.version, note.saves)
    assert a.save("tab A text").status_code == 200
    note.refresh_from_db()
    assert (note.version, note.body) == (1, "tab A text")  # joined the session
    response = b.save("tab B text")
    assert response.status_code == 409
    assert "tab A text" in response.content.decode()
    note.refresh_from_db()
    assert note.body == "tab A text"
    # B keeps refusing until the person decides; keeping theirs is a version of its own, so A's
    # text stays in history.
    assert b.save("tab B text, more").status_code == 409
    b.save("tab B text, more", overwrite_version="1")
    note.refresh_from_db()
    assert (note.version, note.body) == (2, "tab B text, more")
    assert note.versions.get(number=1).body == "tab A text"


def test_sessions_can_be_turned_off(client, owner, entries, clock, settings):
    settings.READLIST_NOTE_SESSION_MINUTES = 0
    client.force_login(owner)
    tab = Tab(client, url_for(entries[0]))
    for text in ("a", "ab", "abc"):
        tab.save(text)
    assert Note.objects.get(user=owner).version == 3
