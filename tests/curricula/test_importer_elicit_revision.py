"""The current Elicit list imported over the shipped `elicit`: nobody's work is stranded.

The current list is not available offline, so `current_elicit()` builds it from the shipped
one with the changes issue 12 describes: the legend "✨ = Added after 2025/11/26", entries
relinked under the same title (a paper's arXiv page -> its OpenReview forum page, a blog's
page -> the paper), entries added with ✨ and entries dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from curricula.models import Entry
from curricula.services import curriculum_import
from notes.models import Note, Progress
from tests import factories

SHIPPED = Path(__file__).resolve().parents[2] / "curricula" / "bundled" / "elicit.md"
RELINKS = {
    "https://arxiv.org/abs/2106.09685": "https://openreview.net/forum?id=nZeVKeeFYf9",  # LoRA
    "https://transformer-circuits.pub/2021/framework/index.html": (
        "https://arxiv.org/abs/2312.09230"
    ),
}
DROPPED = (
    "- [A Practical Survey on Faster and Lighter Transformers](https://arxiv.org/abs/2103.14636)\n",
    "- [Unsupervised Neural Machine Translation with Generative Language Models Only]"
    "(https://arxiv.org/abs/2110.05448)\n",
)
ADDED = (
    "- ✨ [Scaling Laws for Neural Language Models](https://arxiv.org/abs/2001.08361)\n"
    "- ✨ [Training Compute-Optimal Large Language Models](https://arxiv.org/abs/2203.15556)\n"
)
pytestmark = pytest.mark.django_db


def current_elicit() -> str:
    text = SHIPPED.read_text(encoding="utf-8")
    assert "✨ Added after 2024/4/1" in text
    text = text.replace("✨ Added after 2024/4/1", "✨ = Added after 2025/11/26")
    for old, new in RELINKS.items():
        assert old in text
        text = text.replace(f"({old})", f"({new})")
    for line in DROPPED:
        assert line in text
        text = text.replace(line, "")
    anchor = "- [LoRA: Low-Rank Adaptation of Large Language Models]"
    return text.replace(anchor, ADDED + anchor)


@pytest.fixture
def elicit(db):
    curriculum_import(actor=None, text=SHIPPED.read_text(encoding="utf-8"), slug="elicit")
    return Entry.objects.filter(curriculum__slug="elicit")


def _work(elicit):
    """Three people: each has Done and a note on a relinked, a dropped and a kept entry."""
    people = [factories.make_user(f"reader{n}") for n in range(3)]
    titles = [
        "LoRA: Low-Rank Adaptation of Large Language Models",
        "A Mathematical Framework for Transformer Circuits",
        "A Practical Survey on Faster and Lighter Transformers",
        "Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets",
    ]
    for person in people:
        for title in titles:
            entry = elicit.get(title=title)
            Progress.objects.create(
                user=person, resource=entry.resource, status="done", updated_at=timezone.now()
            )
            factories.make_note(person, entry, body=f"{person.username} on {title}")
    return people


def test_every_progress_row_and_note_survives_on_a_live_entry_when_its_work_is_listed(elicit):
    _work(elicit)
    before_progress = set(Progress.objects.values_list("pk", flat=True))
    before_notes = set(Note.objects.values_list("pk", flat=True))

    result = curriculum_import(actor=None, text=current_elicit(), slug="elicit")

    assert set(Progress.objects.values_list("pk", flat=True)) >= before_progress
    assert set(Note.objects.values_list("pk", flat=True)) >= before_notes
    live = Entry.objects.active().filter(curriculum__slug="elicit")
    live_resources = set(live.values_list("resource_id", flat=True))
    retired = Entry.objects.filter(curriculum__slug="elicit", retired_in=result.revision)
    assert set(retired.values_list("title", flat=True)) == {
        "A Practical Survey on Faster and Lighter Transformers",
        "Unsupervised Neural Machine Translation with Generative Language Models Only",
    }
    dropped_resources = set(retired.values_list("resource_id", flat=True))
    for progress in Progress.objects.all():
        assert progress.status == "done"
        assert progress.resource_id in live_resources | dropped_resources
    for note in Note.objects.all():
        assert note.resource_id in live_resources | dropped_resources
    # The relinked entries kept their rows and carry their readers' work to the new links.
    lora = live.get(title="LoRA: Low-Rank Adaptation of Large Language Models")
    assert lora.resource.url == "https://openreview.net/forum?id=nZeVKeeFYf9"
    assert Progress.objects.filter(resource=lora.resource, status="done").count() == 3
    assert Note.objects.filter(resource=lora.resource).count() == 3


def test_sparkle_entries_are_dated_by_the_new_legend(elicit):
    curriculum_import(actor=None, text=current_elicit(), slug="elicit")
    live = Entry.objects.active().filter(curriculum__slug="elicit")
    marked = current_elicit().count("- ✨ ")
    dated = live.filter(added_on=dt.date(2025, 11, 26))
    assert dated.count() == marked >= 40
    assert set(live.filter(added_on__isnull=False).values_list("added_on", flat=True)) == {
        dt.date(2025, 11, 26)
    }


def test_the_preview_names_whose_work_each_retirement_and_relink_touches(elicit):
    _work(elicit)
    result = curriculum_import(actor=None, text=current_elicit(), slug="elicit", dry_run=True)
    changes = result.summary["changes"]
    retired = {r["title"]: r["work"] for r in changes["retired"]}
    assert retired["A Practical Survey on Faster and Lighter Transformers"] == {
        "done": 3,
        "notes": 3,
        "people": 3,
    }
    assert retired[
        "Unsupervised Neural Machine Translation with Generative Language Models Only"
    ] == {"done": 0, "notes": 0, "people": 0}
    relinked = {
        r["title"]: (r["old_url"], r["new_url"], r["work"]["people"]) for r in changes["relinked"]
    }
    assert relinked["LoRA: Low-Rank Adaptation of Large Language Models"] == (
        "https://arxiv.org/abs/2106.09685",
        "https://openreview.net/forum?id=nZeVKeeFYf9",
        3,
    )
    assert {a["title"] for a in changes["added"]} == {
        "Scaling Laws for Neural Language Models",
        "Training Compute-Optimal Large Language Models",
    }
    # Complete: no "… and N more", every group in full, retirements first.
    report = result.report
    assert "more changes" not in report
    assert report.index("Retired") < report.index("Relinked") < report.index("Added")
    assert "3 people: 3 finished, 3 wrote notes" in report


def test_the_command_prints_the_preview_as_json(elicit, tmp_path):
    source = tmp_path / "elicit.md"
    source.write_text(current_elicit(), encoding="utf-8")
    out = StringIO()
    call_command(
        "import_curriculum", str(source), "--curriculum", "elicit", "--dry-run",
        "--format", "json", stdout=out,
    )  # fmt: skip
    payload = json.loads(out.getvalue())
    assert payload["changed"] is True and payload["revision"] is None
    assert len(payload["summary"]["changes"]["relinked"]) == 2
    assert len(payload["summary"]["changes"]["retired"]) == 2


def test_the_admin_preview_groups_every_change_in_collapsible_sections(
    client, admin_user, elicit, settings
):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "e"}
    }
    _work(elicit)
    client.force_login(admin_user)
    upload = SimpleUploadedFile("elicit.md", current_elicit().encode(), "text/markdown")
    response = client.post(
        "/admin/curricula/curriculum/import/",
        {"file": upload, "slug": "elicit", "title": "", "action": "preview"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    for key in ("retired", "relinked", "added", "skipped"):
        assert f'id="import-{key}"' in page
    assert page.index('id="import-retired"') < page.index('id="import-relinked"')
    assert "A Practical Survey on Faster and Lighter Transformers" in page
    assert "3 people: 3 finished, 3 wrote notes" in page
    assert "more changes" not in page
    assert Entry.objects.active().filter(curriculum__slug="elicit").count() == 88  # unchanged


def test_the_admin_can_keep_one_relinked_entrys_work_on_its_old_link(
    client, admin_user, elicit, settings
):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "k"}
    }
    _work(elicit)
    circuits = elicit.get(title="A Mathematical Framework for Transformer Circuits")
    old_circuits = circuits.resource_id
    client.force_login(admin_user)
    upload = SimpleUploadedFile("elicit.md", current_elicit().encode(), "text/markdown")
    page = client.post(
        "/admin/curricula/curriculum/import/",
        {"file": upload, "slug": "elicit", "title": "", "action": "preview"},
    ).content.decode()
    assert (
        'name="keep_work" value="https://transformer-circuits.pub/2021/framework/index.html"'
        in page
    )
    token = re.search(r'name="token" value="([0-9a-f]{64})"', page).group(1)
    response = client.post(
        "/admin/curricula/curriculum/import/",
        {
            "token": token,
            "action": "confirm",
            "keep_work": ["https://transformer-circuits.pub/2021/framework/index.html"],
        },
    )
    assert response.status_code == 302
    circuits.refresh_from_db()
    assert circuits.resource_id != old_circuits and circuits.retired_in is None
    # Kept on the old link for this entry; followed for LoRA.
    assert Progress.objects.filter(resource_id=old_circuits).count() == 3
    assert Progress.objects.filter(resource=circuits.resource).count() == 0
    lora = Entry.objects.get(curriculum__slug="elicit", title__startswith="LoRA")
    assert Progress.objects.filter(resource=lora.resource).count() == 3


def test_the_command_keeps_work_on_the_old_links_with_keep_work_star(elicit, tmp_path):
    _work(elicit)
    lora = elicit.get(title__startswith="LoRA")
    old = lora.resource_id
    source = tmp_path / "elicit.md"
    source.write_text(current_elicit(), encoding="utf-8")
    call_command(
        "import_curriculum", str(source), "--curriculum", "elicit", "--keep-work", "*",
        stdout=StringIO(),
    )  # fmt: skip
    lora.refresh_from_db()
    assert lora.resource_id != old
    assert Progress.objects.filter(resource_id=old).count() == 3
