"""The Atom feed per curriculum: each revision's added, retired and relinked entries, readable
without an account."""

from __future__ import annotations

import defusedxml.ElementTree as ET
from django.test import Client

from curricula.services import curriculum_import

ATOM = "{http://www.w3.org/2005/Atom}"

FIRST = """# My list

## Tier 1: Basics

- [Attention is all you need](https://arxiv.org/abs/1706.03762)
- [Old blog post](https://example.org/old-post)
- [A moving target](https://example.org/first-home)
"""

SECOND = """# My list

## Tier 1: Basics

- [Attention is all you need](https://arxiv.org/abs/1706.03762)
- [A moving target](https://example.org/new-home)
- [Fresh paper](https://arxiv.org/abs/2405.09673)
"""


def _entries(client: Client, slug: str) -> list:
    response = client.get(f"/curricula/{slug}/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return root.findall(f"{ATOM}entry")


def test_feed_lists_each_revisions_changes_without_an_account(db):
    curriculum_import(actor=None, text=FIRST, slug="mine", title="My list")
    curriculum_import(actor=None, text=SECOND, slug="mine")

    entries = _entries(Client(), "mine")

    assert len(entries) == 2
    newest, oldest = entries
    assert newest.findtext(f"{ATOM}title") == "Revision 2: 1 added, 1 retired, 1 relinked"
    body = newest.findtext(f"{ATOM}summary") or newest.findtext(f"{ATOM}content") or ""
    assert "Fresh paper" in body
    assert "Old blog post" in body
    assert "A moving target" in body
    assert "example.org/first-home" in body and "example.org/new-home" in body
    assert "Attention is all you need" not in body  # unchanged entries are not news
    assert oldest.findtext(f"{ATOM}title") == "Revision 1: 3 added, 0 retired, 0 relinked"
    assert newest.findtext(f"{ATOM}id") != oldest.findtext(f"{ATOM}id")


def test_feed_of_an_unknown_curriculum_is_404(db):
    assert Client().get("/curricula/nope/feed.atom").status_code == 404


def test_feed_queries_do_not_grow_with_revisions(db, django_assert_max_num_queries):
    text = FIRST
    for i in range(6):
        text += f"- [Paper {i}](https://example.org/p/{i})\n"
        curriculum_import(actor=None, text=text, slug="mine", title="My list")
    with django_assert_max_num_queries(4):
        assert len(_entries(Client(), "mine")) == 6


def test_a_link_less_entry_that_gets_a_link_shows_as_relinked(db):
    curriculum_import(actor=None, text=FIRST + "- Scaling laws talk\n", slug="mine", title="L")
    text = FIRST + "- [Scaling laws talk](https://example.org/talk)\n"
    curriculum_import(actor=None, text=text, slug="mine")

    newest = _entries(Client(), "mine")[0]

    assert newest.findtext(f"{ATOM}title") == "Revision 2: 0 added, 0 retired, 1 relinked"
    body = newest.findtext(f"{ATOM}summary") or ""
    assert "Scaling laws talk: no link → https://example.org/talk" in body


def test_curriculum_page_points_feed_readers_at_the_feed(db):
    from tests import factories

    curriculum_import(actor=None, text=FIRST, slug="mine", title="My list")
    client = Client()
    client.force_login(factories.make_user("reader"))
    page = client.get("/curricula/mine/").content.decode()
    assert 'type="application/atom+xml"' in page and 'href="/curricula/mine/feed.atom"' in page
