"""Exporting a curriculum: Markdown that imports back to the same thing, BibTeX, CSL-JSON."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curricula.exporter import export_bibtex, export_csljson, export_markdown
from curricula.models import Curriculum, Resource
from curricula.services import curriculum_import

BUNDLED = Path(__file__).resolve().parents[2] / "curricula" / "bundled"
pytestmark = pytest.mark.django_db


def seed(name: str) -> str:
    return (BUNDLED / name).read_text(encoding="utf-8")


@pytest.fixture
def bundled(db):
    call_command("load_bundled_curricula", stdout=StringIO())
    return {c.slug: c for c in Curriculum.objects.all()}


def shape(curriculum: Curriculum):
    tiers = [
        (t.number, t.label, t.title, t.note, t.optional)
        for t in curriculum.tiers.filter(retired_in__isnull=True).order_by("position")
    ]
    topics = [
        (t.title, t.number, t.part, t.tier.number if t.tier else None, t.description)
        for t in curriculum.topics.filter(retired_in__isnull=True)
        .select_related("tier")
        .order_by("position")
    ]
    entries = [
        (
            e.title,
            e.resource.url if e.resource else None,
            e.url_as_written,
            e.alias,
            e.why,
            e.excerpt,
            e.tags,
            e.date_text,
            e.extra_links,
            e.group,
            e.role,
            e.added_on,
            e.todo,
            e.tier.number if e.tier else None,
            e.topic.title if e.topic else None,
        )
        for e in curriculum.entries.active().select_related("resource", "tier", "topic")
    ]
    fields = (
        curriculum.title,
        curriculum.description,
        curriculum.guidance,
        curriculum.note_template,
        curriculum.reading_order,
        curriculum.completion_rule,
    )
    return tiers, topics, entries, fields


@pytest.mark.parametrize("slug", ["training-roles", "elicit", "llm-tricks"])
def test_markdown_export_imports_back_to_the_same_curriculum(bundled, slug):
    original = bundled[slug]
    markdown = export_markdown(original)
    curriculum_import(actor=None, text=markdown, slug=f"copy-{slug}")
    copy = Curriculum.objects.get(slug=f"copy-{slug}")
    tiers, topics, entries, fields = shape(original)
    assert shape(copy) == (tiers, topics, entries, fields)
    assert len(entries) == {"training-roles": 65, "elicit": 88, "llm-tricks": 74}[slug]


@pytest.mark.parametrize("slug", ["training-roles", "elicit", "llm-tricks"])
def test_reimporting_an_export_into_its_own_curriculum_changes_nothing(bundled, slug):
    result = curriculum_import(actor=None, text=export_markdown(bundled[slug]), slug=slug)
    assert result.changed is False, result.report


def test_markdown_export_carries_the_fields_people_read(bundled):
    elicit = export_markdown(bundled["elicit"])
    assert (
        "- ✨ [Efficiently Modeling Long Sequences with Structured State Spaces]"
        "(https://arxiv.org/abs/2111.00396) (S4) [video](https://www.youtube.com/watch?v=EvQ3ncuriCM)."
    ) in elicit
    assert "<details><summary><strong>Tier 4+</strong></summary>" in elicit
    roles = export_markdown(bundled["training-roles"])
    assert "  Why: You must understand *why* DPO works" in roles
    assert "  TODO" in roles
    assert "(Use GPT-3, Chinchilla, and Pile papers as anchors.)" in roles
    tricks = export_markdown(bundled["llm-tricks"])
    assert '  - _"MeCo first provides metadata' in tricks
    assert "`scaling law` `post-training`." in tricks


def test_retired_entries_are_not_exported(bundled):
    roles = export_markdown(bundled["training-roles"])
    assert "Lil’Log – LLM Evaluation" not in roles  # only in 001, retired by 000


def test_bibtex_lists_each_paper_once(bundled):
    Resource.objects.filter(arxiv_id="2111.00396").update(
        title="Efficiently Modeling Long Sequences with Structured State Spaces",
        authors=["Albert Gu", "Karan Goel", "Christopher Ré"],
        published=dt.datetime(2021, 10, 31, tzinfo=dt.UTC),
        primary_category="cs.LG",
    )
    bib = export_bibtex(bundled["elicit"])
    assert bib.count("@misc{arXiv:2112.11446,") == 1  # OPT and Gopher share the id
    s4 = bib.split("@misc{arXiv:2111.00396,")[1].split("\n}")[0]
    assert "author = {Albert Gu and Karan Goel and Christopher Ré}" in s4
    assert "year = {2021}" in s4 and "primaryClass = {cs.LG}" in s4
    assert "eprint = {2111.00396}" in s4 and "note = {S4}" in s4
    # Blogs and videos are not papers.
    assert "youtube.com" not in bib and "cs231n" not in bib
    tricks = export_bibtex(bundled["llm-tricks"])
    assert "title = {{Analyzing \\& Eliminating Learning Rate Warmup" in tricks


def test_csl_json_is_valid_and_has_dates_and_ids(bundled):
    items = json.loads(export_csljson(bundled["llm-tricks"]))
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids))
    meco = next(i for i in items if i["id"] == "arXiv:2501.01956")
    assert meco["title"] == "Metadata conditioning accelerates language model pre-training"
    assert meco["issued"] == {"date-parts": [[2025]]}
    assert meco["URL"] == "https://arxiv.org/abs/2501.01956"
    assert meco["type"] == "article" and meco["number"] == "arXiv:2501.01956"
    assert not any("github.com" in i["URL"] for i in items)


def test_export_queries_do_not_grow_with_entries(bundled, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        export_markdown(bundled["elicit"])
    with django_assert_max_num_queries(2):
        export_bibtex(bundled["llm-tricks"])


def test_export_command_writes_each_format(bundled, tmp_path):
    out = StringIO()
    call_command("export_curriculum", "elicit", stdout=out)
    assert out.getvalue().startswith("# Elicit Machine Learning Reading List\n")
    target = tmp_path / "elicit.bib"
    call_command(
        "export_curriculum", "elicit", "--format", "bibtex", "-o", str(target), stderr=StringIO()
    )
    assert target.read_text(encoding="utf-8").startswith("% Elicit Machine Learning Reading List")
    out = StringIO()
    call_command("export_curriculum", "elicit", "--format", "csljson", stdout=out)
    assert isinstance(json.loads(out.getvalue()), list)


def test_export_command_unknown_curriculum(bundled):
    with pytest.raises(CommandError, match="No curriculum “nope” \\(known: elicit"):
        call_command("export_curriculum", "nope")


def test_every_entry_shape_is_written_in_a_form_that_reads_back(db):
    curriculum_import(
        actor=None,
        text="## T\n\n- [Seed](https://example.org/seed)\n",
        slug="shapes",
    )
    curriculum = Curriculum.objects.get(slug="shapes")
    base = curriculum.entries.get()
    link_less = {"resource": None, "url_as_written": "", "position": 2}
    base.__class__.objects.bulk_create(
        [
            base.__class__(
                curriculum=curriculum,
                topic=base.topic,
                title="Computer *Vision* [draft]",
                extra_links=[{"label": "PyTorch", "url": "https://example.org/pt"}],
                group="DeepSeek",
                role="core",
                **link_less,
            ),
            base.__class__(
                curriculum=curriculum,
                topic=base.topic,
                title="You can also interact through GitHub issues. Read more.",
                alias="GH",
                date_text="2023",
                **{**link_less, "position": 3},
            ),
        ]
    )
    markdown = export_markdown(curriculum)
    written = "- **Computer \\*Vision\\* \\[draft\\]**\n  Links: [PyTorch](https://example.org/pt)."
    assert written in markdown
    assert "<details><summary>DeepSeek</summary>" in markdown  # ungrouped entries follow
    assert "  Role: core" in markdown
    curriculum_import(actor=None, text=markdown, slug="shapes-copy")
    copy = Curriculum.objects.get(slug="shapes-copy")
    assert shape(copy)[:3] == shape(curriculum)[:3]
    assert copy.completion_rule == "all_core"  # from the role the Role line carried
