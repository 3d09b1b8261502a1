"""The Markdown parser on the four seeds and on reading lists it has never seen."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from curricula.importer import ParseError, parse_markdown
from tests.curricula import seed_counts

BUNDLED = Path(__file__).resolve().parents[2] / "curricula" / "bundled"
SEEDS = ["training-roles.r1.md", "training-roles.md", "elicit.md", "llm-tricks.md"]


def seed(name: str) -> str:
    return (BUNDLED / name).read_text(encoding="utf-8")


def by_title(parsed, title):
    found = [e for e in parsed.entries if e.title == title]
    assert len(found) == 1, f"{title!r} found {len(found)} times"
    return found[0]


@pytest.mark.parametrize("name", SEEDS)
def test_every_http_link_in_a_seed_is_placed(name):
    text = seed(name)
    # Counted independently: every Markdown link destination that is http(s).
    expected = len(re.findall(r"\]\((https?://[^)\s]+)\)", text))
    parsed = parse_markdown(text)
    assert len(parsed.placed) == expected
    assert sorted(p.url for p in parsed.placed) == sorted(
        re.findall(r"\]\((https?://[^)\s]+)\)", text)
    )
    assert not [s for s in parsed.skipped if s.url.startswith("http")]


def test_training_roles_current_structure():
    parsed = parse_markdown(seed("training-roles.md"))
    assert parsed.title == (
        "Reading List — Research Engineer / Research Scientist (Training-Focused Roles)"
    )
    assert (
        parsed.description == "This readlist is structured to match the syllabus **tier-by-tier**."
    )
    assert [t.number for t in parsed.tiers] == [1, 2, 3, 4, 5, 6, 7]
    per_tier = Counter(e.tier for e in parsed.entries)
    assert per_tier == seed_counts.TRAINING_ROLES_PER_TIER
    per_topic = Counter(
        parsed.topics[e.topic].title if e.topic is not None else None for e in parsed.entries
    )
    assert per_topic == seed_counts.TRAINING_ROLES_PER_TOPIC
    assert [t.number for t in parsed.topics[:8]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert {t.tier for t in parsed.topics} == {1, 2, 3, 4, 5, 7}
    assert sum(1 for e in parsed.entries if not e.url) == 10
    assert parsed.reading_order == "listed"
    assert parsed.completion_rule == "core_practitioner_summary"


def test_training_roles_groups_roles_todo_and_tier_notes():
    parsed = parse_markdown(seed("training-roles.md"))
    dpo = by_title(parsed, "Direct Preference Optimization (DPO)")
    assert (dpo.group, dpo.role, dpo.why) == ("Primary sources (read all)", "core", "")
    raschka = by_title(parsed, "Sebastian Raschka — LLM Finetuning Overview")
    assert (raschka.group, raschka.role) == (
        "Supporting intuition (highly recommended)",
        "practitioner",
    )
    karpathy = by_title(parsed, "Andrej Karpathy — Neural Nets: 20 Years")
    assert karpathy.todo is True and karpathy.why == ""
    assert by_title(parsed, "Training Data Cascades").why == (
        "How early data decisions poison downstream stages."
    )
    gaming = by_title(parsed, "Specification Gaming (DeepMind)")
    assert (gaming.group, gaming.role, gaming.tier) == ("Objective Misalignment", "", 4)
    tiers = {t.number: t for t in parsed.tiers}
    assert tiers[6].note == "(Use GPT-3, Chinchilla, and Pile papers as anchors.)"
    assert tiers[7].note == "(Primary learning via practice + postmortems.)"
    assert tiers[1].title == "Core Model Improvement (Non-Negotiable)"
    linkless = by_title(parsed, "Tokenization and data mixture papers (survey-level)")
    assert (linkless.url, linkless.tier, linkless.topic) == ("", 6, None)
    assert by_title(parsed, "GPT-4 System Card (re-read)").url == ""


def test_training_roles_guidance_and_note_template():
    current = parse_markdown(seed("training-roles.md"))
    assert current.guidance.startswith("## How to Use This")
    assert "What knob this gives you" in current.guidance
    assert current.note_template.count("###") == 3
    older = parse_markdown(seed("training-roles.r1.md"))
    assert older.title == ""
    assert "## What You Can Safely Skip for Now" in older.guidance
    assert "* Kaggle-style content" in older.guidance
    assert older.note_template.splitlines()[0] == "### What knob does this give me?"
    assert "### When does it fail?" in older.note_template
    assert "### What metric does it affect?" in older.note_template
    # None of the guidance became entries.
    assert not [e for e in older.entries if "Kaggle" in e.title or "knob" in e.title]


def test_training_roles_older_revision():
    parsed = parse_markdown(seed("training-roles.r1.md"))
    assert Counter(e.tier for e in parsed.entries) == {1: 20, 2: 5, 3: 4}
    assert all(e.why for e in parsed.entries)
    dpo = by_title(parsed, "DPO paper (Direct Preference Optimization)")
    assert dpo.why.startswith("You must understand *why* DPO works")
    topic3 = parsed.topics[2]
    assert topic3.description == "This is the **highest ROI area**."
    assert {t.number: t.note for t in parsed.tiers}[3] == "This is subtle but decisive."
    # Primary 4 + core reading 3 + must-read 3 + core sources 2 + core understanding 2;
    # supporting 2 + practitioner-level 2 + practical 2 + practitioner insight 2 + summaries 1;
    # topics 6, 7 and 8 have no groups.
    assert Counter(e.role for e in parsed.entries) == {"core": 14, "practitioner": 9, "": 6}


def test_elicit_grid_of_topics_and_tiers():
    parsed = parse_markdown(seed("elicit.md"))
    assert parsed.title == "Elicit Machine Learning Reading List"
    assert [(t.number, t.label, t.optional) for t in parsed.tiers] == [
        (1, "Tier 1", False),
        (2, "Tier 2", False),
        (3, "Tier 3", False),
        (4, "Tier 4+", True),
    ]
    assert Counter(e.tier for e in parsed.entries) == seed_counts.ELICIT_PER_TIER
    per_topic = Counter(parsed.topics[e.topic].title for e in parsed.entries)
    assert per_topic == seed_counts.ELICIT_PER_TOPIC
    assert [t.part for t in parsed.topics] == ["Fundamentals"] * 4 + ["ML in practice"]
    assert all(t.tier is None for t in parsed.topics)
    assert {e.role for e in parsed.entries if e.tier == 4} == {"optional"}
    assert {e.role for e in parsed.entries if e.tier != 4} == {"core"}
    assert parsed.reading_order == "by_tier"
    assert parsed.completion_rule == "all_core"
    assert parsed.added_after == dt.date(2024, 4, 1)
    assert sum(1 for e in parsed.entries if e.added_on) == 38
    assert "## Purpose" in parsed.guidance and "## How to read" in parsed.guidance
    assert "Table of contents" not in parsed.guidance
    assert "✨ Added after 2024/4/1" in parsed.guidance


def test_elicit_s4_entry():
    parsed = parse_markdown(seed("elicit.md"))
    s4 = by_title(parsed, "Efficiently Modeling Long Sequences with Structured State Spaces")
    assert s4.alias == "S4"
    assert s4.url == "https://arxiv.org/abs/2111.00396"
    assert s4.extra_links == [
        {"label": "video", "url": "https://www.youtube.com/watch?v=EvQ3ncuriCM"}
    ]
    assert s4.added_on == dt.date(2024, 4, 1)
    assert (s4.tier, s4.role) == (2, "core")
    gpt3 = by_title(parsed, "Language Models are Few-Shot Learners")
    assert (gpt3.alias, gpt3.added_on) == ("GPT-3", None)
    # The same arXiv id under two titles: two entries, as written.
    assert [e.alias for e in parsed.entries if e.url.endswith("2112.11446")] == [
        "Meta GPT-3",
        "Gopher",
    ]


def test_llm_tricks_sections_dates_tags_code_and_excerpts():
    parsed = parse_markdown(seed("llm-tricks.md"))
    assert parsed.title == ""
    assert parsed.description.startswith("The tricks and trade of training LLMs")
    assert parsed.tiers == []
    assert (
        Counter(parsed.topics[e.topic].title for e in parsed.entries)
        == seed_counts.LLM_TRICKS_PER_TOPIC
    )
    assert parsed.completion_rule == "all" and parsed.reading_order == "listed"
    meco = by_title(parsed, "Metadata conditioning accelerates language model pre-training")
    assert meco.extra_links == [{"label": "code", "url": "https://github.com/princeton-pli/MeCo"}]
    assert meco.excerpt.startswith("MeCo first provides metadata (e.g. URLs like en.wikipedia.org")
    assert meco.excerpt.endswith("even without metadata.)")
    assert meco.date_text == "Jan. 3 2025"
    first = by_title(parsed, "Deconstructing What Makes a Good Optimizer for Language Models")
    assert first.date_text == "Jul. 10 2024"
    assert (
        by_title(
            parsed,
            "Memorization Without Overfitting: Analyzing the Training Dynamics of Large "
            "Language Models",
        ).date_text
        == "NeurIPS 2022"
    )
    warmup = by_title(parsed, "Analyzing & Eliminating Learning Rate Warmup in GPT Pre-Training")
    assert (warmup.date_text, warmup.tags) == ("2024", ["learning dynamics"])
    warp = by_title(parsed, "WARP: On the Benefits of Weight Averaged Rewarded Policies")
    assert warp.extra_links == [
        {"label": "tweet", "url": "https://x.com/ramealexandre/status/1805525340699185493"}
    ]
    assert warp.tags == ["post-training"]
    scaling = by_title(
        parsed, "Scaling Laws for Reward Model Overoptimization in Direct Alignment Algorithms"
    )
    assert scaling.tags == ["scaling law", "post-training"]
    fast = by_title(parsed, "Fast Forward Low-Rank Training")
    assert fast.excerpt.count("\n\n") == 1 and "we **repeat** the most" in fast.excerpt
    prime = by_title(parsed, "Process Reinforcement through Implicit Rewards")
    assert prime.date_text == "" and prime.extra_links[0]["label"] == "code"


def test_an_unseen_list_of_bold_entries_and_list_items_imports_sensibly():
    text = """# Systems reading

Some context for the list.

## Storage

**Designing Data-Intensive Applications** — [book](https://dataintensive.net/)

**The Log**
https://engineering.linkedin.com/distributed-systems/log
Why: the one abstraction behind it all.

## Networking

* [Latency numbers](https://gist.github.com/jboner/2841832) (Jeff Dean), 2012.
* Fallacies of distributed computing: https://en.wikipedia.org/wiki/Fallacies_of_distributed_computing
* A talk I cannot find any more

### Further reading

1. [TCP congestion control](https://example.org/tcp#intro)
"""
    parsed = parse_markdown(text)
    assert parsed.title == "Systems reading"
    assert parsed.description == "Some context for the list."
    assert [t.title for t in parsed.topics] == ["Storage", "Networking"]
    titles = [e.title for e in parsed.entries]
    assert titles == [
        "Designing Data-Intensive Applications",
        "The Log",
        "Latency numbers",
        "Fallacies of distributed computing",
        "A talk I cannot find any more",
        "TCP congestion control",
    ]
    log = parsed.entries[1]
    assert log.url == "https://engineering.linkedin.com/distributed-systems/log"
    assert log.why == "the one abstraction behind it all."
    latency = parsed.entries[2]
    assert (latency.alias, latency.date_text) == ("Jeff Dean", "2012")
    assert parsed.entries[4].url == ""
    further = parsed.entries[5]
    assert (further.group, further.role) == ("Further reading", "optional")
    assert len(parsed.placed) == 5


def test_nested_headings_make_parts_and_a_details_block_marks_optional_entries():
    text = """## Part one

### Topic A

- [a](https://example.org/a)

<details><summary>More if you have time</summary>

- [b](https://example.org/b)

</details>

- [c](https://example.org/c)

## Tier 2 — Later (optional)

- [d](https://example.org/d)
"""
    parsed = parse_markdown(text)
    assert [(t.title, t.part) for t in parsed.topics] == [("Topic A", "Part one")]
    roles = {e.title: (e.role, e.group) for e in parsed.entries}
    assert roles == {
        "a": ("", ""),
        "b": ("optional", "More if you have time"),
        "c": ("", ""),
        "d": ("optional", ""),
    }
    assert [(t.number, t.title, t.optional) for t in parsed.tiers] == [(2, "Later", True)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# Just prose\n\nNothing to read here.\n", "no links found"),
        ("- one\n- two\n", "no links found"),
        ("See [the docs](#intro) and [mail](mailto:a@example.org).\n", "no links found"),
        ("Read https://example.org/only-in-prose when you can.\n", "no entries found"),
    ],
)
def test_a_text_without_readings_fails_with_a_clear_message(text, message):
    with pytest.raises(ParseError, match=message):
        parse_markdown(text)


def test_dangerous_links_are_refused_and_never_placed():
    text = (
        "## T\n\n- [ok](https://example.org/ok)\n"
        "- [bad](javascript:alert(1))\n- [img](data:text/html,hi)\n"
    )
    parsed = parse_markdown(text)
    assert [r.url.split(":")[0].lower() for r in parsed.refused] == ["javascript", "data"]
    assert {p.url for p in parsed.placed} == {"https://example.org/ok"}
    assert all("javascript" not in e.url and "data:" not in e.url for e in parsed.entries)


def test_a_link_in_a_heading_is_kept_with_what_the_heading_became():
    text = (
        "# [My list](https://example.org/list)\n\n"
        "## [Transformers](https://example.org/t)\n\n"
        "- [Attention](https://arxiv.org/abs/1706.03762)\n"
    )
    parsed = parse_markdown(text)
    assert parsed.title == "My list"
    assert parsed.description == "Link: <https://example.org/list>"
    assert parsed.topics[0].title == "Transformers"
    assert parsed.topics[0].description == "Link: <https://example.org/t>"
    assert len(parsed.placed) == 3
    again = parse_markdown(
        "# My list\n\nLink: <https://example.org/list>\n\n## Transformers\n\n"
        "Link: <https://example.org/t>\n\n- [Attention](https://arxiv.org/abs/1706.03762)\n"
    )
    assert (again.description, again.topics[0].description) == (
        parsed.description,
        parsed.topics[0].description,
    )
    assert [e.title for e in again.entries] == ["Attention"]


def test_a_table_of_links_gives_one_entry_per_row():
    text = (
        "## Papers\n\n| Paper | Venue | Links |\n|---|---|---|\n"
        "| [Attention Is All You Need](https://arxiv.org/abs/1706.03762) | NeurIPS 2017 "
        "| [code](https://github.com/tensorflow/tensor2tensor) |\n"
        "| Scaling Laws | 2020 | [pdf](https://arxiv.org/pdf/2001.08361) |\n"
        "| No link here | 2021 | |\n"
    )
    parsed = parse_markdown(text)
    assert [(e.title, e.url, e.date_text) for e in parsed.entries] == [
        ("Attention Is All You Need", "https://arxiv.org/abs/1706.03762", "NeurIPS 2017"),
        ("Scaling Laws", "https://arxiv.org/pdf/2001.08361", "2020"),
    ]
    assert parsed.entries[0].extra_links == [
        {"label": "code", "url": "https://github.com/tensorflow/tensor2tensor"}
    ]
    assert all(e.topic == 0 for e in parsed.entries)
    assert len(parsed.placed) == 3


def test_a_title_before_a_separator_names_the_entry():
    parsed = parse_markdown("## T\n\n- Deep RL course — [slides](https://example.org/rl.pdf)\n")
    entry = parsed.entries[0]
    assert (entry.title, entry.url) == ("Deep RL course", "https://example.org/rl.pdf")


def test_a_bold_link_less_item_is_named_by_its_bold_part_and_keeps_its_tail():
    parsed = parse_markdown(
        "## T\n\n- [Anchor](https://example.org/a)\n"
        "- **Make sure you read this first, it sets the scene.** (Intro), 2023. `rl`.\n"
        "  Links: [PyTorch](https://example.org/pt). [TensorFlow](https://example.org/tf).\n"
    )
    entry = parsed.entries[1]
    assert (entry.title, entry.url, entry.alias, entry.date_text, entry.tags, entry.why) == (
        "Make sure you read this first, it sets the scene.",
        "",
        "Intro",
        "2023",
        ["rl"],
        "",
    )
    assert [link["label"] for link in entry.extra_links] == ["PyTorch", "TensorFlow"]


def test_a_link_on_a_why_line_is_not_the_entrys_own_link():
    parsed = parse_markdown(
        "## T\n\n- [Anchor](https://example.org/a)\n"
        "- Probability review\n  Why: see [this](https://example.org/why) first.\n"
    )
    entry = parsed.entries[1]
    assert (entry.title, entry.url) == ("Probability review", "")
    assert entry.why == "see [this](https://example.org/why) first."


def test_a_role_line_says_the_role_whatever_the_place_implies():
    parsed = parse_markdown(
        "## T\n\n**Tier 1**\n\n- [a](https://example.org/a)\n  Role: none\n"
        "- [b](https://example.org/b)\n\n"
        "<details><summary><strong>Tier 2+</strong></summary>\n\n"
        "- [c](https://example.org/c)\n  Role: practitioner\n\n</details>\n"
    )
    assert [(e.title, e.role) for e in parsed.entries] == [
        ("a", ""),
        ("b", "core"),
        ("c", "practitioner"),
    ]


def test_a_sentence_with_a_generic_relative_link_is_guidance_not_an_entry():
    parsed = parse_markdown(
        "## Community\n\n- [Discord server](https://example.org/chat-room)\n"
        "- You can also interact through GitHub issues. If there is a problem with a course, "
        "this is the place to start. Read more [here](CONTRIBUTING.md).\n"
        "- [Roadmap](../roadmap.md) ⭐ 2024\n"
    )
    assert [e.title for e in parsed.entries] == ["Discord server", "Roadmap"]
    assert "interact through GitHub issues" in parsed.topics[0].description
