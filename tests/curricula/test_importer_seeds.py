"""Importing the bundled curricula: what lands in the catalogue, revisions and re-imports."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from curricula.models import Curriculum, Entry, Resource, Revision, Tier, Topic
from curricula.services import curriculum_import
from tests.curricula import seed_counts

BUNDLED = Path(__file__).resolve().parents[2] / "curricula" / "bundled"
pytestmark = pytest.mark.django_db


def seed(name: str) -> str:
    return (BUNDLED / name).read_text(encoding="utf-8")


def load(slug: str, *names: str, title: str | None = None):
    result = None
    for name in names:
        result = curriculum_import(
            actor=None, text=seed(name), slug=slug, title=title, source_name=name
        )
    return result


def active(slug: str):
    return Entry.objects.active().filter(curriculum__slug=slug)


def test_training_roles_is_001_then_000_with_000s_structure():
    load("training-roles", "training-roles.r1.md", "training-roles.md")
    curriculum = Curriculum.objects.get(slug="training-roles")
    assert curriculum.title.startswith("Reading List — Research Engineer")
    assert list(curriculum.revisions.order_by("number").values_list("number", "source_name")) == [
        (1, "training-roles.r1.md"),
        (2, "training-roles.md"),
    ]
    tiers = Tier.objects.filter(curriculum=curriculum, retired_in__isnull=True)
    assert [t.number for t in tiers.order_by("position")] == [1, 2, 3, 4, 5, 6, 7]
    per_tier = Counter(active("training-roles").values_list("tier__number", flat=True))
    assert per_tier == seed_counts.TRAINING_ROLES_PER_TIER
    per_topic = Counter(active("training-roles").values_list("topic__title", flat=True))
    assert per_topic == seed_counts.TRAINING_ROLES_PER_TOPIC
    # 001's topics live on under 000's titles (matched by number), none retired.
    assert not Topic.objects.filter(curriculum=curriculum, retired_in__isnull=False).exists()
    # The four 001 entries 000 dropped are retired, not deleted; the four whose link 000
    # changed under the same title are the same entries, relinked (people's work follows).
    retired = Entry.objects.filter(curriculum=curriculum, retired_in__number=2)
    assert set(retired.values_list("title", flat=True)) == {
        "Hugging Face RLHF Book",
        "Lil’Log (Lilian Weng) – RLHF",
        "Lil’Log – LLM Evaluation",
        "OpenAI Cookbook – Data curation",
    }
    google = Entry.objects.get(curriculum=curriculum, resource__arxiv_id="2506.04723")
    assert google.introduced_in.number == 1 and google.retired_in is None
    assert Entry.objects.filter(curriculum=curriculum).count() == 65 + 4
    assert curriculum.completion_rule == "core_practitioner_summary"
    assert curriculum.reading_order == "listed"
    assert "What knob this gives you" in curriculum.note_template


def test_an_entry_000_lists_without_why_keeps_001s():
    load("training-roles", "training-roles.r1.md", "training-roles.md")
    dpo = Entry.objects.get(curriculum__slug="training-roles", resource__arxiv_id="2305.18290")
    assert dpo.title == "Direct Preference Optimization (DPO)"  # 000's title
    assert dpo.why == (
        "You must understand *why* DPO works and when it breaks. Focus on the objective, "
        "not proofs."
    )
    assert dpo.introduced_in.number == 1 and dpo.retired_in is None
    assert (dpo.tier.number, dpo.topic.number, dpo.role) == (1, 1, "core")
    # 000's own Why: wins where it has one.
    zero = Entry.objects.get(curriculum__slug="training-roles", resource__arxiv_id="1910.02054")
    assert zero.why == "Memory vs compute tradeoffs."
    todo = Entry.objects.get(curriculum__slug="training-roles", title__startswith="Andrej Karpathy")
    assert todo.todo is True
    tier6 = Tier.objects.get(curriculum__slug="training-roles", number=6)
    assert tier6.note == "(Use GPT-3, Chinchilla, and Pile papers as anchors.)"
    assert tier6.entries.filter(resource__isnull=True).count() == 3


def test_elicit_counts_and_the_s4_entry():
    result = load("elicit", "elicit.md")
    assert result.summary["entries"]["total"] == 88
    per_tier = Counter(active("elicit").values_list("tier__number", flat=True))
    assert per_tier == seed_counts.ELICIT_PER_TIER
    per_topic = Counter(active("elicit").values_list("topic__title", flat=True))
    assert per_topic == seed_counts.ELICIT_PER_TOPIC
    tier4 = Tier.objects.get(curriculum__slug="elicit", number=4)
    assert (tier4.label, tier4.optional) == ("Tier 4+", True)
    s4 = Entry.objects.get(curriculum__slug="elicit", alias="S4")
    assert s4.title == "Efficiently Modeling Long Sequences with Structured State Spaces"
    assert s4.extra_links == [
        {"label": "video", "url": "https://www.youtube.com/watch?v=EvQ3ncuriCM"}
    ]
    assert s4.added_on == dt.date(2024, 4, 1)
    assert s4.resource.url == "https://arxiv.org/abs/2111.00396"
    assert s4.resource.arxiv_status == Resource.ArxivStatus.PENDING
    curriculum = Curriculum.objects.get(slug="elicit")
    assert (curriculum.reading_order, curriculum.completion_rule) == ("by_tier", "all_core")
    assert "hiring ML and software engineers" in curriculum.guidance
    # One arXiv id under two titles (OPT and Gopher): two entries sharing one resource.
    gopher = Entry.objects.filter(curriculum=curriculum, resource__arxiv_id="2112.11446")
    assert sorted(gopher.values_list("alias", flat=True)) == ["Gopher", "Meta GPT-3"]
    assert gopher.values("resource").distinct().count() == 1


def test_llm_tricks_counts_and_the_meco_entry():
    load("llm-tricks", "llm-tricks.md", title="LLM training tricks")
    per_topic = Counter(active("llm-tricks").values_list("topic__title", flat=True))
    assert per_topic == seed_counts.LLM_TRICKS_PER_TOPIC
    assert not Tier.objects.filter(curriculum__slug="llm-tricks").exists()
    meco = Entry.objects.get(curriculum__slug="llm-tricks", resource__arxiv_id="2501.01956")
    assert meco.extra_links == [{"label": "code", "url": "https://github.com/princeton-pli/MeCo"}]
    assert meco.excerpt.startswith("MeCo first provides metadata")
    assert meco.date_text == "Jan. 3 2025"
    assert meco.url_as_written == "https://arxiv.org/pdf/2501.01956"
    curriculum = Curriculum.objects.get(slug="llm-tricks")
    assert curriculum.title == "LLM training tricks"
    assert curriculum.description.startswith("The tricks and trade of training LLMs")
    assert curriculum.completion_rule == "all"
    # Two papers are listed twice under different titles: 74 entries, 72 resources.
    assert active("llm-tricks").values("resource").distinct().count() == 72


def test_the_same_paper_spelled_two_ways_in_two_seeds_is_one_resource():
    load("elicit", "elicit.md")
    load("llm-tricks", "llm-tricks.md")
    qlora = Resource.objects.filter(arxiv_id="2305.14314")
    assert qlora.count() == 1
    spellings = set(qlora.get().entries.values_list("url_as_written", flat=True))
    assert spellings == {"http://arxiv.org/abs/2305.14314", "https://arxiv.org/pdf/2305.14314"}


def test_every_link_placed_is_counted_in_the_report():
    result = load("elicit", "elicit.md")
    links = result.summary["links"]
    assert links["placed"] == 91
    assert links["by_place"] == {"entry": 88, "extra_link": 1, "guidance": 2}
    assert "91 http(s) links placed" in result.report
    assert "table of contents" in result.report
    assert result.summary["resources"] == {"linked": 87, "new": 87, "shared": 0}


def test_reimporting_the_same_text_changes_nothing():
    load("training-roles", "training-roles.r1.md", "training-roles.md")
    before = list(Entry.objects.order_by("pk").values())
    again = load("training-roles", "training-roles.md")
    assert again.changed is False and again.revision is None
    assert "No changes" in again.report
    assert Revision.objects.filter(curriculum__slug="training-roles").count() == 2
    assert list(Entry.objects.order_by("pk").values()) == before


def test_load_bundled_curricula_is_idempotent():
    out = StringIO()
    call_command("load_bundled_curricula", stdout=out)
    assert "training-roles: imported training-roles.r1.md as r1" in out.getvalue()
    assert "training-roles: imported training-roles.md as r2" in out.getvalue()
    counts = (Curriculum.objects.count(), Entry.objects.count(), Resource.objects.count())
    assert counts[0] == 3
    again = StringIO()
    call_command("load_bundled_curricula", stdout=again)
    assert again.getvalue().strip() == "Bundled curricula are up to date: nothing changed."
    assert (Curriculum.objects.count(), Entry.objects.count(), Resource.objects.count()) == counts
    assert Revision.objects.count() == 4


def test_an_entry_dropped_from_the_list_is_retired_and_keeps_its_related_rows():
    load("elicit", "elicit.md")
    gpt3 = Entry.objects.get(curriculum__slug="elicit", alias="GPT-3")
    # Something hangs on the entry (another app's progress or note would): a later entry
    # pointing at the same resource stands in for it here, since the catalogue owns no such row.
    resource_pk = gpt3.resource_id
    trimmed = seed("elicit.md").replace(
        "- [Language Models are Few-Shot Learners](https://arxiv.org/abs/2005.14165) (GPT-3)\n", ""
    )
    result = curriculum_import(actor=None, text=trimmed, slug="elicit", source_name="trimmed")
    assert result.changed and result.summary["entries"]["retired"] == 1
    gpt3.refresh_from_db()
    assert gpt3.retired_in == result.revision
    assert gpt3.resource_id == resource_pk
    assert Entry.objects.active().filter(curriculum__slug="elicit").count() == 87
    # Putting it back revives the same row rather than making a new one.
    back = curriculum_import(actor=None, text=seed("elicit.md"), slug="elicit")
    gpt3.refresh_from_db()
    assert gpt3.retired_in is None
    assert back.summary["entries"]["revived"] == 1
    assert Entry.objects.filter(curriculum__slug="elicit", alias="GPT-3").count() == 1


def test_dry_run_reports_the_same_and_changes_nothing():
    load("training-roles", "training-roles.r1.md")
    snapshot = (Entry.objects.count(), Tier.objects.count(), Revision.objects.count())
    dry = curriculum_import(
        actor=None, text=seed("training-roles.md"), slug="training-roles", dry_run=True
    )
    assert dry.changed is True and dry.revision is None and dry.dry_run
    assert dry.report.startswith("Dry run — nothing was changed.")
    assert (Entry.objects.count(), Tier.objects.count(), Revision.objects.count()) == snapshot
    real = curriculum_import(actor=None, text=seed("training-roles.md"), slug="training-roles")
    assert dry.summary == real.summary
    assert dry.report.splitlines()[1:] == real.report.splitlines()[1:]


def test_revision_rows_record_the_source():
    result = load("llm-tricks", "llm-tricks.md")
    revision = result.revision
    assert revision.number == 1
    assert revision.source_text == seed("llm-tricks.md")
    assert len(revision.sha256) == 64 and revision.sha256 == result.sha256
    assert revision.summary["entries"]["total"] == 74
    assert revision.summary_text == result.report


def test_a_reordered_list_moves_entries_without_touching_their_content():
    load("llm-tricks", "llm-tricks.md")
    text = seed("llm-tricks.md")
    first, rest = text.split("### Pre-training", 1)
    head, optimization = first.split("### Optimization", 1)
    swapped = head + "### Pre-training" + rest.rstrip("\n") + "\n\n### Optimization" + optimization
    result = curriculum_import(actor=None, text=swapped, slug="llm-tricks")
    entries = result.summary["entries"]
    assert entries["added"] == 0 and entries["retired"] == 0
    assert entries["moved"] > 0 and entries["updated"] == 0
    topics = Topic.objects.filter(curriculum__slug="llm-tricks").order_by("position")
    assert topics.first().title == "Pre-training"
    assert topics.count() == 4
    ordered = list(active("llm-tricks").order_by("position").values_list("title", "topic__title"))
    assert ordered[0] == (
        "Analyzing & Eliminating Learning Rate Warmup in GPT Pre-Training",
        "Pre-training",
    )
    assert ordered[-1][1] == "Optimization"
    assert [
        p for p in active("llm-tricks").order_by("position").values_list("position", flat=True)
    ] == list(range(74))


def test_a_retired_link_less_entry_keeps_the_progress_someone_recorded(member):
    from django.utils import timezone

    from notes.models import Progress, Status

    load("training-roles", "training-roles.md")
    item = Entry.objects.get(curriculum__slug="training-roles", title="Reward hacking detection")
    progress = Progress.objects.create(
        user=member, entry=item, status=Status.DONE, updated_at=timezone.now()
    )
    without = seed("training-roles.md").replace("* Reward hacking detection\n", "")
    result = curriculum_import(actor=None, text=without, slug="training-roles")
    assert result.summary["entries"]["retired"] == 1
    item.refresh_from_db()
    assert item.retired_in == result.revision
    assert Progress.objects.filter(pk=progress.pk, entry=item, status=Status.DONE).exists()


def test_tiers_and_topics_the_text_drops_are_retired_and_come_back():
    first = (
        "# L\n\n## Tier 1 — Basics\n\n### A\n\n- [a](https://example.org/a)\n\n"
        "## Tier 2 — More\n\n### B\n\n- [b](https://example.org/b)\n"
    )
    curriculum_import(actor=None, text=first, slug="shrink")
    second = first.split("## Tier 2")[0]
    result = curriculum_import(actor=None, text=second, slug="shrink")
    tier2 = Tier.objects.get(curriculum__slug="shrink", number=2)
    topic_b = Topic.objects.get(curriculum__slug="shrink", title="B")
    assert tier2.retired_in == result.revision and topic_b.retired_in == result.revision
    assert Entry.objects.get(curriculum__slug="shrink", title="b").retired_in == result.revision
    assert (result.summary["tiers"]["retired"], result.summary["topics"]["retired"]) == (1, 1)
    back = curriculum_import(actor=None, text=first, slug="shrink")
    tier2.refresh_from_db()
    topic_b.refresh_from_db()
    assert tier2.retired_in is None and topic_b.retired_in is None
    assert back.summary["tiers"]["revived"] == 1 and back.summary["topics"]["revived"] == 1
    assert Tier.objects.filter(curriculum__slug="shrink").count() == 2
