"""The curriculum page heads each topic's entries with the topic's title, and entries without
a topic with nothing: the heading was built from the tier's id (a "None" heading whose
"summary" link opened the topic of the tier's number)."""

from __future__ import annotations

import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_entries_without_a_topic_get_no_heading_and_topics_get_theirs(client, member):
    curriculum = factories.make_curriculum(slug="heads", title="Heads")
    tier = factories.make_tier(curriculum, 1, title="Laws")
    topic = factories.make_topic(curriculum, "Tokenisers", tier=tier, position=1)
    factories.make_entry(curriculum, "Without a topic", tier=tier, position=1)
    factories.make_entry(curriculum, "Under a topic", tier=tier, topic=topic, position=2)
    client.force_login(member)
    html = client.get("/curricula/heads/").content.decode()
    headings = re.findall(r'<h3 class="topic-title">(.*?)</h3>', html, re.S)
    assert len(headings) == 1 and "Tokenisers" in headings[0]
    assert f"/notes/topic/{topic.pk}/edit" in headings[0]
    assert ">None <" not in html
