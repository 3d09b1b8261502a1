"""A revision that fixes an entry's link keeps the entry, and people's work follows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from curricula.models import Entry, Resource
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


# training-roles r1 linked "Data Selection for Language Models" to arXiv 2202.08906, which is
# ST-MoE; r2 links the survey itself, 2402.16827. Whoever marked the r1 entry done read what
# its link gave them: following would mark them done with a paper they never opened.
BUNDLED = Path(__file__).resolve().parents[2] / "curricula" / "bundled"
DATA_SELECTION = "Data Selection for Language Models"
OLD = "https://arxiv.org/abs/2202.08906"
NEW = "https://arxiv.org/abs/2402.16827"


@pytest.fixture
def roles_r1(db):
    curriculum_import(
        actor=None, text=(BUNDLED / "training-roles.r1.md").read_text("utf-8"), slug="roles"
    )
    entry = Entry.objects.get(curriculum__slug="roles", title=DATA_SELECTION)
    assert entry.resource.url == OLD
    reader = get_user_model().objects.create_user("reader", password="x")
    Progress.objects.create(
        user=reader, resource=entry.resource, status="done", updated_at=timezone.now()
    )
    return entry


def _r2(**kwargs):
    return curriculum_import(
        actor=None,
        text=(BUNDLED / "training-roles.md").read_text("utf-8"),
        slug="roles",
        **kwargs,
    )


def _fetched(url, title):
    """What the arXiv worker stores once it has read the paper's metadata."""
    Resource.objects.filter(url=url).update(title=title)


def test_a_relink_to_another_paper_is_marked_and_peoples_work_stays(roles_r1):
    _fetched(OLD, "ST-MoE: Designing Stable and Transferable Sparse Expert Models")
    preview = _r2(dry_run=True)
    item = next(i for i in preview.summary["changes"]["relinked"] if i["title"] == DATA_SELECTION)
    assert item["different_work"].startswith("ST-MoE") and item["follows"] is False
    assert "different work? The old link is “ST-MoE" in preview.report
    _r2()
    roles_r1.refresh_from_db()
    assert roles_r1.resource.url == NEW and roles_r1.retired_in_id is None
    progress = Progress.objects.get(user__username="reader")
    assert progress.resource.url == OLD  # stayed with the paper they read
    # The other relinks of that revision are link fixes: nothing else is marked.
    assert [i["title"] for i in preview.summary["changes"]["relinked"] if i["different_work"]] == [
        DATA_SELECTION
    ]


def test_the_admin_can_say_the_work_follows_anyway(roles_r1):
    _fetched(OLD, "ST-MoE: Designing Stable and Transferable Sparse Expert Models")
    _r2(follow_work=[OLD])
    assert Progress.objects.get(user__username="reader").resource.url == NEW


def test_the_same_title_under_another_id_is_a_fix_and_work_follows(roles_r1):
    # Unfetched (or fetched with the title the list gives): nothing says it is another work.
    preview = _r2(dry_run=True)
    item = next(i for i in preview.summary["changes"]["relinked"] if i["title"] == DATA_SELECTION)
    assert item["different_work"] == "" and item["follows"] is True
    _fetched(OLD, "Data Selection for Language Models (preprint)")
    _r2()
    assert Progress.objects.get(user__username="reader").resource.url == NEW


def test_the_admin_preview_ticks_a_different_work_and_unticking_it_follows(
    roles_r1, client, admin_user, settings
):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "r"}
    }
    _fetched(OLD, "ST-MoE: Designing Stable and Transferable Sparse Expert Models")
    client.force_login(admin_user)
    upload = SimpleUploadedFile(
        "training-roles.md", (BUNDLED / "training-roles.md").read_bytes(), "text/markdown"
    )
    page = client.post(
        "/admin/curricula/curriculum/import/",
        {"file": upload, "slug": "roles", "title": "", "action": "preview"},
    ).content.decode()
    assert f'name="keep_work" value="{OLD}" checked' in page
    assert "<strong>Different work?</strong> The old link is “ST-MoE" in page
    token = re.search(r'name="token" value="([0-9a-f]{64})"', page).group(1)
    shown = re.findall(r'name="shown_work" value="([^"]+)"', page)
    assert OLD in shown
    response = client.post(
        "/admin/curricula/curriculum/import/",
        {"token": token, "action": "confirm", "shown_work": shown},  # every box unticked
    )
    assert response.status_code == 302
    assert Progress.objects.get(user__username="reader").resource.url == NEW
