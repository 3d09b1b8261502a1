"""A revision that fixes an entry's link keeps the entry, and people's work follows it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from curricula.models import Entry
from curricula.services import curriculum_import
from notes.models import Progress

pytestmark = pytest.mark.django_db

BEFORE = """# List

## Topic

- [Scaling Laws for Neural Language Models](https://openreview.net/pdf?id=abc123)
- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)
"""
AFTER = BEFORE.replace("https://openreview.net/pdf?id=abc123", "https://arxiv.org/abs/2001.08361")


def test_a_relinked_entry_keeps_its_row_and_peoples_status_follows():
    curriculum_import(actor=None, text=BEFORE, slug="relink")
    entry = Entry.objects.get(title="Scaling Laws for Neural Language Models")
    old_resource = entry.resource
    user = get_user_model().objects.create_user("reader", password="x")
    Progress.objects.create(
        user=user, resource=old_resource, status="done", updated_at=timezone.now()
    )

    result = curriculum_import(actor=None, text=AFTER, slug="relink")

    entry.refresh_from_db()
    assert entry.retired_in_id is None  # the same row, not retired and re-added
    assert entry.resource.url != old_resource.url
    assert Progress.objects.get(user=user).resource_id == entry.resource_id
    assert "Relinked" in result.report
    assert "https://arxiv.org/abs/2001.08361" in result.report
    assert result.summary["entries"]["retired"] == 0


def test_a_link_less_item_retitled_in_place_keeps_its_row():
    before = "# List\n\n## Tier 6\n\n- [A paper](https://example.org/p)\n- Item one\n- Item two\n"
    curriculum_import(actor=None, text=before, slug="retitle")
    two = Entry.objects.get(title="Item two")
    after = before.replace("- Item two", "- Item two, second edition")
    result = curriculum_import(actor=None, text=after, slug="retitle")
    two.refresh_from_db()
    assert two.title == "Item two, second edition" and two.retired_in_id is None
    assert result.summary["entries"]["retired"] == 0
    # A new item at the end is added, not matched to anything.
    added = after + "- Item three\n"
    assert (
        curriculum_import(actor=None, text=added, slug="retitle").summary["entries"]["added"] == 1
    )
