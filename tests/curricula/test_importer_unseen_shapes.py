"""Shapes found in more public reading lists (awesome-deep-learning-papers, LLMSurvey,
Awesome-Chinese-LLM, papers-we-love, Awesome-MLLM): small inputs written here in their shape."""

from __future__ import annotations

import pytest

from curricula.exporter import export_markdown
from curricula.importer import parse_markdown
from curricula.models import Curriculum
from curricula.services import curriculum_import
from tests.curricula.test_export import shape


@pytest.mark.parametrize(
    ("line", "title"),
    [
        # LLMSurvey: 251 of its 341 titles are quoted.
        (
            '1. **"Finetuned Language Models Are Zero-Shot Learners"**. *Jason Wei et al*. '
            "ICLR 2022. [[Paper](https://example.org/p)]",
            "Finetuned Language Models Are Zero-Shot Learners",
        ),
        ("- “Attention Is All You Need” [pdf](https://example.org/p)", "Attention Is All You Need"),
        # A quote that is part of the name stays.
        (
            '- ["Why Should I Trust You?" Explaining the Predictions](https://example.org/p)',
            '"Why Should I Trust You?" Explaining the Predictions',
        ),
        # LLMSurvey: "<u>Name</u>: [[Source](…)]" left "Name: [".
        ("2. <u>Guntenburg</u>: [[Source](https://example.org/p)]", "Guntenburg"),
    ],
)
def test_what_only_frames_a_title_is_not_part_of_it(line, title):
    parsed = parse_markdown(f"## Papers\n\n{line}\n")
    assert [e.title for e in parsed.entries] == [title]


def test_a_full_width_colon_after_a_name_is_not_part_of_it():
    parsed = parse_markdown(
        "## 模型\n\n* ChatGLM：\n  * 简介：中文对话模型\n* [书生·浦语](https://example.org/b)\n"
    )
    assert [e.title for e in parsed.entries] == ["ChatGLM", "书生·浦语"]


@pytest.mark.parametrize("contents", ["Contents", "目录", "Table of Contents:"])
def test_the_sections_under_a_contents_heading_are_the_topics(contents):
    # awesome-deep-learning-papers and Awesome-Chinese-LLM: "## Contents", its anchor list,
    # then every section one level below it. The sections were groups of one "Contents" topic.
    parsed = parse_markdown(
        f"# Papers\n\n## {contents}\n\n- [Vision](#vision)\n- [Language](#language)\n\n"
        "### Vision\n\n- [ResNet](https://example.org/resnet)\n\n"
        "### Language\n\n- [BERT](https://example.org/bert)\n\n## License\n\nCC0\n"
    )
    topics = [t.title for t in parsed.topics]
    assert topics == ["Vision", "Language"]
    assert [(e.title, topics[e.topic], e.group) for e in parsed.entries] == [
        ("ResNet", "Vision", ""),
        ("BERT", "Language", ""),
    ]
    assert {s.url: s.reason for s in parsed.skipped} == {
        "#vision": "table of contents",
        "#language": "table of contents",
    }


def test_a_contents_heading_with_readings_of_its_own_stays_a_topic():
    parsed = parse_markdown(
        "## Contents\n\n- [Intro paper](https://example.org/intro)\n\n"
        "### Vision\n\n- [ResNet](https://example.org/resnet)\n"
    )
    assert [t.title for t in parsed.topics] == ["Contents"]
    assert [(e.title, e.group) for e in parsed.entries] == [
        ("Intro paper", ""),
        ("ResNet", "Vision"),
    ]


def test_an_item_named_above_its_labelled_links_takes_the_first_as_its_own():
    # Awesome-Chinese-LLM: all 195 entries were link-less, their address typed on a sub-item.
    parsed = parse_markdown(
        "## 模型\n\n"
        "* ChatGLM：\n"
        "  * 地址：https://github.com/THUDM/ChatGLM-6B\n"
        "  ![](https://img.shields.io/github/stars/THUDM/ChatGLM-6B.svg)\n"
        "  * 简介：中文领域效果最好的开源底座模型之一。\n"
        "- **Scaling Laws**\n"
        "  - Paper: [arXiv](https://arxiv.org/abs/2001.08361)\n"
        "  - Code: https://github.com/example/scaling\n"
        "- Probability review\n"
        "  - Read chapter 2 of the book before the first session, see https://example.org/book\n"
    )
    got = [(e.title, e.url, e.extra_links) for e in parsed.entries]
    assert got == [
        ("ChatGLM", "https://github.com/THUDM/ChatGLM-6B", []),
        (
            "Scaling Laws",
            "https://arxiv.org/abs/2001.08361",
            [{"label": "Code", "url": "https://github.com/example/scaling"}],
        ),
        ("Probability review", "", []),  # a sentence that mentions a link is not its address
    ]
    assert "简介" in parsed.entries[0].excerpt
    skipped = {s.url: s.reason for s in parsed.skipped}
    assert skipped["https://img.shields.io/github/stars/THUDM/ChatGLM-6B.svg"] == "image or badge"
    placed = [(p.url, p.place) for p in parsed.placed]
    assert placed.count(("https://github.com/THUDM/ChatGLM-6B", "entry")) == 1
    assert ("https://example.org/book", "excerpt") in placed


def test_links_in_an_items_later_paragraphs_are_kept():
    # papers-we-love: a summary paragraph, then "*Citation. Available: <URL>*"; 4 of its 17
    # links were in neither the entries nor the report.
    parsed = parse_markdown(
        "## Hosted Papers\n\n"
        "* **[A Sparse JL Transform](sparse-jl.pdf)**\n\n"
        "    The JLT is still expensive. [This video](https://www.youtube.com/watch?v=x) helps.\n\n"
        "    *Dasgupta et al. STOC 2010. Available: [arXiv](http://arxiv.org/abs/1004.4240)*\n\n"
        "* [Fast JL Transforms](https://example.org/fjlt.pdf)\n\n"
        "    *Ailon and Chazelle. Available: https://example.org/fjlt.pdf*\n"
    )
    first, second = parsed.entries
    assert first.extra_links == [
        {"label": "This video", "url": "https://www.youtube.com/watch?v=x"},
        {"label": "arXiv", "url": "http://arxiv.org/abs/1004.4240"},
    ]
    assert "The JLT is still expensive" in first.why
    # The entry's own URL again is not a second link of it, but the report still names it.
    assert (second.url, second.extra_links) == ("https://example.org/fjlt.pdf", [])
    assert [s.reason for s in parsed.skipped if s.url == second.url] == ["repeats a link above"]


@pytest.mark.django_db
def test_a_quoted_title_with_its_period_imports_back_the_same():
    text = (
        "# Survey\n\n## Evaluation\n\n"
        '1. **"Will Affective Computing Emerge from Foundation Models?"**. *M. Amin et al*. '
        "arXiv 2023. [[Paper](https://arxiv.org/abs/2303.03186)]\n"
        '2. **"Exploring the Feasibility of ChatGPT for Event Extraction."**. *Jun Gao et al*. '
        "arXiv 2023. [[Paper](https://arxiv.org/abs/2303.03836)]\n"
    )
    curriculum_import(actor=None, text=text, slug="survey")
    original = Curriculum.objects.get(slug="survey")
    titles = list(original.entries.order_by("position").values_list("title", "why"))
    assert titles == [
        ("Will Affective Computing Emerge from Foundation Models?", "M. Amin et al. arXiv 2023."),
        ("Exploring the Feasibility of ChatGPT for Event Extraction", "Jun Gao et al. arXiv 2023."),
    ]
    curriculum_import(actor=None, text=export_markdown(original), slug="copy")
    assert shape(Curriculum.objects.get(slug="copy")) == shape(original)


HALLUSION = (
    "HallusionBench: You See What You Think? Or You Think What You See? An Image-Context "
    "Reasoning Benchmark Challenging for GPT-4V(ision), LLaVA-1.5, and Other Multi-modality Models"
)


@pytest.mark.django_db
def test_a_long_paper_title_is_kept_whole_and_imports_back_the_same():
    # Awesome-Multimodal-Large-Language-Models: a 177-character title in a table cell was
    # kept whole, but its export read back as "HallusionBench" (cut at the first ": ").
    text = (
        "# MLLM\n\n## Evaluation\n\n| Title | Venue | Code |\n|---|---|---|\n"
        f"| [**{HALLUSION}**](https://arxiv.org/pdf/2310.14566.pdf) | CVPR "
        "| [Github](https://github.com/tianyi-lab/HallusionBench) |\n"
    )
    curriculum_import(actor=None, text=text, slug="mllm")
    original = Curriculum.objects.get(slug="mllm")
    assert list(original.entries.values_list("title", flat=True)) == [HALLUSION]
    curriculum_import(actor=None, text=export_markdown(original), slug="copy")
    assert shape(Curriculum.objects.get(slug="copy")) == shape(original)
    parsed = parse_markdown(f"## Evaluation\n\n- [{HALLUSION}](https://example.org/p)\n")
    assert (parsed.entries[0].title, parsed.entries[0].excerpt) == (HALLUSION, "")


def test_a_citation_line_gives_title_year_and_authors_apart():
    # awesome-deep-learning-papers: 94 of 194 titles carried "(2017), Jonas Gehring et al".
    parsed = parse_markdown(
        "## New papers\n\n"
        "- Convolutional Sequence to Sequence Learning (2017), Jonas Gehring et al. "
        "[[pdf]](https://arxiv.org/pdf/1705.03122)\n"
        "- **Improved techniques for training GANs** (2016), T. Salimans et al. "
        "[[pdf]](https://example.org/gans.pdf)\n"
        "- Learning deep architectures for AI (2009) [[pdf]](https://example.org/bengio.pdf)\n"
        "- Results on GPT (2019) and beyond [[pdf]](https://example.org/other.pdf)\n"
    )
    got = [(e.title, e.date_text, e.why) for e in parsed.entries]
    assert got == [
        ("Convolutional Sequence to Sequence Learning", "2017", "Jonas Gehring et al"),
        ("Improved techniques for training GANs", "2016", "T. Salimans et al"),
        ("Learning deep architectures for AI", "2009", ""),
        ("Results on GPT (2019) and beyond", "", ""),  # the year does not end the name
    ]


def test_what_the_author_commented_out_is_no_description_and_its_links_are_reported():
    # awesome-deep-learning-papers: "<!---[Key researchers] [Name](…), …-->" under each
    # section became the topic's description, and its 25 links were nowhere in the report.
    parsed = parse_markdown(
        "## Vision\n\n- [ResNet](https://example.org/resnet)\n\n"
        "<!---[Key researchers] [Kaiming He](https://scholar.example.org/?user=He), "
        '<a href="https://example.org/hidden">x</a>-->\n\n'
        '<!-- a note to self --><p>Shown <a href="https://example.org/shown">here</a></p>\n'
    )
    assert [e.title for e in parsed.entries] == ["ResNet"]
    assert "Key researchers" not in parsed.topics[0].description
    assert "note to self" not in parsed.topics[0].description
    assert "Shown" in parsed.topics[0].description
    skipped = {s.url: s.reason for s in parsed.skipped}
    assert skipped == {
        "https://scholar.example.org/?user=He": "in an HTML comment",
        "https://example.org/hidden": "in an HTML comment",
    }
    assert "https://example.org/shown" in [p.url for p in parsed.placed]


def test_a_link_less_item_over_nested_readings_labels_them():
    # A nested numbered list: "Foundations" and "Scaling" were link-less entries of their own.
    parsed = parse_markdown(
        "## Part\n\n1. Foundations\n   1. [Attention](https://arxiv.org/abs/1706.03762)\n"
        "   2. [BERT](https://arxiv.org/abs/1810.04805)\n"
        "2. **Scaling (optional)**\n   - [GPT-3](https://arxiv.org/abs/2005.14165)\n"
        "3. Probability review\n"
    )
    got = [(e.title, e.group, e.role) for e in parsed.entries]
    assert got == [
        ("Attention", "Foundations", ""),
        ("BERT", "Foundations", ""),
        ("GPT-3", "Scaling (optional)", "optional"),
        ("Probability review", "", ""),
    ]


def test_a_run_of_bracketed_links_names_neither_the_entry_nor_its_links():
    parsed = parse_markdown(
        "## Papers\n\n"
        "- Attention Is All You Need [[paper]](https://arxiv.org/abs/1706.03762) "
        "[[code]](https://github.com/x/y)\n"
        "- [[Paper]](https://openreview.net/forum?id=abc) [[Code]](https://github.com/a/b) "
        "LoRA: Low-Rank Adaptation\n"
    )
    got = [(e.title, e.url, e.why, e.extra_links) for e in parsed.entries]
    assert got == [
        (
            "Attention Is All You Need",
            "https://arxiv.org/abs/1706.03762",
            "",
            [{"label": "code", "url": "https://github.com/x/y"}],
        ),
        (
            "LoRA: Low-Rank Adaptation",
            "https://openreview.net/forum?id=abc",
            "",
            [{"label": "Code", "url": "https://github.com/a/b"}],
        ),
    ]


def test_a_mark_before_a_bold_name_is_not_part_of_it():
    # Awesome-Multimodal-Large-Language-Models: "- 🌟 **Title**" with its links on the next line.
    parsed = parse_markdown(
        "## Surveys\n\n- 🌟 **MME-Survey: A Survey**  \n"
        "arXiv 2025, [Paper](https://arxiv.org/pdf/2411.15296.pdf), [Project](https://github.com/x/y)\n"
        "- 🔥 **Video-MME-v2: Towards the Next Stage**\n"
    )
    got = [(e.title, e.url, e.date_text) for e in parsed.entries]
    assert got == [
        ("MME-Survey: A Survey", "https://arxiv.org/pdf/2411.15296.pdf", "arXiv 2025"),
        ("Video-MME-v2: Towards the Next Stage", "", ""),
    ]


def test_yaml_front_matter_is_settings_not_a_topic():
    # A Jekyll page: the closing "---" made the settings a setext heading, hence a topic.
    parsed = parse_markdown(
        '---\ntitle: "Deep learning reading"\ntags: [ml, nlp]\n'
        "canonical: https://example.org/list\n---\n\n## Week 1\n\n- [A](https://example.org/a)\n"
    )
    assert parsed.title == "Deep learning reading"
    assert [t.title for t in parsed.topics] == ["Week 1"]
    assert (parsed.entries[0].title, parsed.entries[0].line) == ("A", 9)
    assert [(s.url, s.reason) for s in parsed.skipped] == [
        ("https://example.org/list", "in the front matter")
    ]


def test_a_rule_at_the_top_is_not_front_matter():
    parsed = parse_markdown(
        "---\n\n# My list\n\n---\n\n## Week 1\n\n- [A](https://example.org/a)\n"
    )
    assert parsed.title == "My list"
    assert [t.title for t in parsed.topics] == ["Week 1"]


def test_an_html_list_gives_one_entry_per_item():
    # <ul><li><a href>…</a></li></ul> inside <details>: no entry at all, "no entries found".
    parsed = parse_markdown(
        "## Vision\n\n<details>\n<summary>Backbones</summary>\n<ul>\n"
        '<li><a href="https://arxiv.org/abs/1512.03385">Deep Residual Learning</a> (2016)\n'
        '<li><b>ViT</b> <a href="https://arxiv.org/abs/2010.11929">[paper]</a></li>\n'
        "<li>Read both before the session.</li>\n</ul>\n</details>\n"
    )
    got = [(e.title, e.url, e.group) for e in parsed.entries]
    assert got == [
        ("Deep Residual Learning", "https://arxiv.org/abs/1512.03385", "Backbones"),
        ("ViT", "https://arxiv.org/abs/2010.11929", "Backbones"),
    ]
    assert "Read both before the session." in parsed.topics[0].description


def test_a_heading_that_is_a_link_with_prose_under_it_is_a_reading():
    # Paper notes written as "### [Title](…)" then a summary: refused ("no entries found").
    parsed = parse_markdown(
        "# Notes\n\n## Transformers\n\n### [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n\n"
        "Why: the architecture everything else builds on.\n\n"
        "### [BERT](https://arxiv.org/abs/1810.04805)\n\n> Deep bidirectional pretraining.\n\n"
        "## [Stanford CS224n](https://web.stanford.edu/class/cs224n/)\n\n"
        "- [Lecture 1](https://example.org/l1)\n"
    )
    got = [(e.title, e.url, parsed.topics[e.topic].title) for e in parsed.entries]
    assert got == [
        ("Attention Is All You Need", "https://arxiv.org/abs/1706.03762", "Transformers"),
        ("BERT", "https://arxiv.org/abs/1810.04805", "Transformers"),
        ("Lecture 1", "https://example.org/l1", "Stanford CS224n"),  # a heading over a list
    ]
    assert parsed.entries[0].why == "the architecture everything else builds on."
    assert parsed.entries[1].excerpt == "Deep bidirectional pretraining."


def test_a_footnote_mark_is_neither_title_nor_note():
    parsed = parse_markdown(
        "## Papers\n\n- [Attention](https://arxiv.org/abs/1706.03762)[^1] (2017)\n"
        "- **BERT**[^bert] [pdf](https://arxiv.org/abs/1810.04805)\n\n"
        "[^1]: See [the annotated version](https://nlp.seas.harvard.edu/annotated-transformer/).\n"
        "[^bert]: Devlin et al.\n"
    )
    got = [(e.title, e.why, e.date_text) for e in parsed.entries]
    assert got == [("Attention", "", "2017"), ("BERT", "", "")]
    placed = [p.url for p in parsed.placed]
    assert "https://nlp.seas.harvard.edu/annotated-transformer/" in placed


def test_a_labelled_link_under_an_entry_is_one_of_its_links():
    # awesome-RLHF: "  - Code: [Official](…)" under each paper; 73 code links were excerpt text.
    parsed = parse_markdown(
        "## 2024\n\n- [HybridFlow: A Flexible RLHF Framework](https://arxiv.org/pdf/2409.19256v2)\n"
        "  - Guangming Sheng, Chi Zhang\n  - Keyword: Flexible, Efficient\n"
        "  - Code: [Official](https://github.com/volcengine/verl)\n"
        "- [TLCR: Token-Level Continuous Reward](https://arxiv.org/abs/2407.16574)\n"
        "  - Code: [Official]()\n"
    )
    first, second = parsed.entries
    assert first.extra_links == [{"label": "Code", "url": "https://github.com/volcengine/verl"}]
    assert first.excerpt == "Guangming Sheng, Chi Zhang\n\nKeyword: Flexible, Efficient"
    assert second.extra_links == []


def test_a_contents_list_of_absolute_links_to_this_pages_headings_is_a_table_of_contents():
    # ML-YouTube-Courses: "Course List:" links "https://github.com/…/README.md#stanford-cs229-…",
    # the page's own headings by absolute URL: 24 entries that were the table of contents.
    base = "https://github.com/dair-ai/ML-YouTube-Courses/blob/main/README.md"
    parsed = parse_markdown(
        "# Courses\n\nCourse List:\n\n"
        f"- [Stanford CS229: Machine Learning]({base}#stanford-cs229-machine-learning)\n"
        f"- [Deep Learning (Tubingen)]({base}#deep-learning-tubingen)\n\n"
        "## Stanford CS229: Machine Learning\n\n- [Lecture 1](https://example.org/cs229)\n\n"
        "## Deep Learning (Tubingen)\n\n- [Lecture 1](https://example.org/tue)\n\n"
        "## Elsewhere\n\n- [Part A](https://example.org/notes#part-a)\n"
        "- [Part B](https://example.org/notes#elsewhere)\n"
    )
    assert [e.url for e in parsed.entries] == [
        "https://example.org/cs229",
        "https://example.org/tue",
        "https://example.org/notes#part-a",  # another page's anchors: readings
        "https://example.org/notes#elsewhere",
    ]
    assert [s.reason for s in parsed.skipped] == ["table of contents"] * 2
