"""Shapes found in more public reading lists (awesome-deep-learning-papers, LLMSurvey,
Awesome-Chinese-LLM, papers-we-love, Awesome-MLLM): small inputs written here in their shape."""

from __future__ import annotations

import pytest

from curricula.importer import parse_markdown


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
