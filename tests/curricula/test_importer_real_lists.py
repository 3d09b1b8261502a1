"""Seven public reading lists (tests/curricula/data/README.md): titles, links, round trip.

The checks here do not ask the parser: links are counted from the raw text with a pattern of
their own, and a title counts as faithful only when the source shows it as one unit of markup
(a link text, a bold span, a table cell, a list item's lead) and it is not a generic label.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import pytest

from curricula.exporter import export_markdown
from curricula.importer import parse_markdown
from curricula.models import Curriculum
from curricula.services import curriculum_import, read_bundle
from tests.curricula.test_export import shape

DATA = Path(__file__).resolve().parent / "data"
LISTS = {
    # name: (file, entries at least)
    "awesome_llm": ("awesome_llm.md", 300),
    "monthly_papers": ("monthly_papers.md", 24),
    "ai_for_beginners": ("ai_for_beginners.md", 20),
    "applied_ml": ("applied_ml.md", 150),
    "ossu": ("ossu/README.md", 60),
    "emoji_topics": ("emoji_topics.md", 15),
    "awesome_rlhf": ("awesome_rlhf.md", 160),
}
# Hand-labelled: (title, URL or "" for a link-less entry) that must be among the entries.
EXPECTED = {
    "awesome_llm": [
        ("Attention Is All You Need", "https://arxiv.org/pdf/1706.03762.pdf"),
        ("Language models are few-shot learners", None),
        ("TinyZero", "https://github.com/Jiayi-Pan/TinyZero"),
    ],
    "monthly_papers": [
        ("Gemma 3 Technical Report", "https://arxiv.org/abs/2503.19786"),
        ("DAPO: An Open-Source LLM Reinforcement Learning System at Scale", None),
    ],
    "ai_for_beginners": [
        ("Perceptron", ""),
        ("Introduction and History of AI", ""),
        ("Multi-Modal Networks, CLIP and VQGAN", ""),
    ],
    "applied_ml": [
        ("Zipline: Airbnb’s Machine Learning Data Management Platform", None),
        ("Real-time Data Infrastructure at Uber", "https://arxiv.org/pdf/2104.00087.pdf"),
    ],
    "ossu": [
        ("Systematic Program Design", ""),
        ("The Missing Semester of Your CS Education", "https://missing.csail.mit.edu/"),
    ],
    "emoji_topics": [
        ("RAG Roadmap (3-day)", ""),
        ("Knowledge Graphs for RAG", None),
    ],
    "awesome_rlhf": [
        (
            "HybridFlow: A Flexible and Efficient RLHF Framework",
            "https://arxiv.org/pdf/2409.19256v2",
        ),
        (
            "Training language models to follow instructions with human feedback",
            "https://arxiv.org/abs/2203.02155",
        ),
    ],
}
FIDELITY_TARGET = 0.95

# A URL may hold balanced parentheses ("…/slide/RL(HF)%2BLLM.JPG", "…for%20AI%20(2009).pdf").
_URL = re.compile(r"https?://(?:[^\s<>\"'`\]\)(|]|\([^\s<>\"'`()\]]*\))+")
_GENERIC_WORDS = {
    "paper", "pdf", "code", "arxiv", "link", "here", "text", "notebook", "video", "slides",
    "blog", "tweet", "github", "website", "project", "demo", "lab", "chat", "discord", "more",
}  # fmt: skip
_OPEN = ("[", "**", "__", ">", "|", "- ", "* ", "+ ", ") ", ". ", "(")
_CLOSE = ("](", "**", "__", "<", "|", " - ", " – ", " — ", ":", "\n", ")", ",", " (", " ⭐")


def source_of(name: str) -> str:
    return (DATA / LISTS[name][0]).read_text(encoding="utf-8")


def independent_links(text: str) -> Counter[str]:
    """Every http(s) URL written in the text, as written (HTML entities decoded); a link
    whose text is its own URL ("[https://x](https://x)") is one link."""
    text = re.sub(r"\[(https?://[^\]\s]+)\]\(\1\)", r"(\1)", text)
    return Counter(html.unescape(m.group(0)).rstrip(".,;:!?*_'") for m in _URL.finditer(text))


def faithful(title: str, text: str) -> bool:
    """The title is a whole unit of markup in the source and names something."""
    words = title.strip()
    if not words or len(words) > 200 or words.lower() in _GENERIC_WORDS:
        return False
    if not re.search(r"[^\W\d_]{2}", words):  # a date, a number, an emoji
        return False
    flat = re.sub(r"\\([\\`*_\[\]<>#|])", r"\1", html.unescape(text))
    flat = re.sub(r"<br\s*/?>", "\n", flat)
    flat = re.sub(r"[ \t]+", " ", flat)
    for match in re.finditer(re.escape(words), flat):
        before = flat[: match.start()].rstrip(" ")
        after = flat[match.end() :].lstrip(" ") or "\n"
        opened = before.endswith(_OPEN) or before.endswith("\n") or not before
        if opened and (after.startswith(_CLOSE) or after.startswith("\n")):
            return True
    return False


@pytest.mark.parametrize("name", sorted(LISTS))
def test_titles_are_the_works_own_names(name):
    text = source_of(name)
    parsed = parse_markdown(text)
    assert len(parsed.entries) >= LISTS[name][1]
    good = [e for e in parsed.entries if faithful(e.title, text)]
    bad = [e.title for e in parsed.entries if not faithful(e.title, text)]
    fidelity = len(good) / len(parsed.entries)
    assert fidelity >= FIDELITY_TARGET, (name, round(fidelity, 3), bad[:15])
    by_title = {e.title: e for e in parsed.entries}
    for title, url in EXPECTED[name]:
        assert title in by_title, (name, title)
        if url is not None:
            assert by_title[title].url == url, (name, title)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_every_http_link_is_accounted_for(name):
    text = source_of(name)
    parsed = parse_markdown(text)
    accounted = Counter(html.unescape(p.url) for p in parsed.placed)
    accounted.update(html.unescape(s.url) for s in parsed.skipped if s.url.startswith("http"))
    accounted.update(html.unescape(s.url) for s in parsed.refused)
    written = independent_links(text)
    missing = written - accounted
    assert not missing, (name, sorted(missing.elements())[:10])


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(LISTS))
def test_export_imports_back_to_the_same_entries(name):
    curriculum_import(actor=None, text=source_of(name), slug=name)
    original = Curriculum.objects.get(slug=name)
    curriculum_import(actor=None, text=export_markdown(original), slug=f"copy-{name}")
    copy = Curriculum.objects.get(slug=f"copy-{name}")
    assert shape(copy) == shape(original)


def test_a_generic_link_text_gives_way_to_the_bold_name():
    parsed = parse_markdown(
        "## Papers\n\n"
        "- (2023-02) **FlexGen: High-throughput Inference** [paper](https://example.org/a)\n"
        "- ⭐ 01/2023: [Scaling Laws](https://example.org/b)\n"
        "- [PDF](https://example.org/c) Toolformer: models that use tools\n"
    )
    got = [(e.title, e.date_text) for e in parsed.entries]
    assert got == [
        ("FlexGen: High-throughput Inference", "2023-02"),
        ("Scaling Laws", "01/2023"),
        ("Toolformer: models that use tools", ""),
    ]


def test_a_long_summary_keeps_its_first_sentence_as_title_and_the_rest_as_excerpt():
    summary = (
        "Common Pile is an 8TB dataset of openly licensed text. Two 7B models trained on it "
        "match LLaMA 1 and 2 on many benchmarks while the data, code and checkpoints are all "
        "released under permissive licences for anyone to use."
    )
    parsed = parse_markdown(f"## Week 1\n\n- [{summary}](https://example.org/p)\n")
    entry = parsed.entries[0]
    assert entry.title == "Common Pile is an 8TB dataset of openly licensed text"
    assert entry.excerpt.startswith("Two 7B models")


def test_html_table_rows_whose_only_link_is_an_a_tag_become_entries():
    parsed = parse_markdown(
        "## Reading\n\n| Date | Paper | Links |\n|---|---|---|\n"
        '| 2017-06 | <a href="https://example.org/attention">Attention Is All You Need</a> '
        '| <a href="https://example.org/code">code</a> |\n'
    )
    entry = parsed.entries[0]
    assert (entry.title, entry.url, entry.date_text) == (
        "Attention Is All You Need",
        "https://example.org/attention",
        "2017-06",
    )
    assert entry.extra_links == [{"label": "code", "url": "https://example.org/code"}]


def test_details_mark_optional_only_when_their_summary_says_so():
    parsed = parse_markdown(
        "## Topic\n\n<details><summary>DeepSeek</summary>\n\n- [a](https://example.org/a)\n\n"
        "</details>\n<details><summary>Bonus material</summary>\n\n- [b](https://example.org/b)\n"
        "\n</details>\n\n- [c](https://example.org/c)\n"
    )
    got = {e.title: (e.group, e.role) for e in parsed.entries}
    assert got == {"a": ("DeepSeek", ""), "b": ("Bonus material", "optional"), "c": ("", "")}


def test_one_html_chunk_closing_a_details_and_opening_the_next_ends_the_first_group():
    parsed = parse_markdown(
        "## Topic\n\n<details><summary>Meta</summary>\n\n- [a](https://example.org/a)\n\n"
        "</details><details><summary>Google</summary>\n\n- [b](https://example.org/b)\n\n"
        "</details>\n"
    )
    assert [(e.title, e.group) for e in parsed.entries] == [("a", "Meta"), ("b", "Google")]


@pytest.mark.parametrize(
    "legend",
    [
        "✨ = Added after 2025/11/26",
        "✨ = added after 26.11.2025",
        "✨ marks entries added after November 26, 2025",
        "✨ Added after 2025-11-26",
    ],
)
def test_the_sparkle_legend_is_read_in_any_date_format(legend):
    parsed = parse_markdown(f"{legend}\n\n## Topic\n\n- ✨ [a](https://example.org/a)\n")
    assert parsed.entries[0].added_on is not None
    assert parsed.entries[0].added_on.isoformat() == "2025-11-26"


def test_badges_and_community_links_are_skipped_with_a_reason():
    parsed = parse_markdown(
        "# List [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)\n\n"
        "## Papers\n\n- [Join our Discord](https://discord.gg/x)\n"
        "- [Real paper](https://example.org/p)\n"
    )
    assert [e.title for e in parsed.entries] == ["Real paper"]
    reasons = {s.url: s.reason for s in parsed.skipped}
    assert reasons["https://awesome.re/badge.svg"] == "image or badge"
    assert reasons["https://discord.gg/x"] == "navigation"


def test_link_less_bullets_become_entries_only_when_they_read_like_titles():
    parsed = parse_markdown(
        "## Week 1\n\n- [Paper](https://example.org/p)\n- Probability review\n"
        "- Make sure you have watched the lectures before starting on the problem set, "
        "because the exercises assume you know the material.\n"
    )
    assert [e.title for e in parsed.entries] == ["Paper", "Probability review"]


@pytest.mark.django_db
def test_a_curriculum_over_several_files_exports_and_imports_back_the_same():
    text = read_bundle(folder=DATA / "ossu")  # README.md and the course pages it links
    curriculum_import(actor=None, text=text, slug="ossu-all")
    original = Curriculum.objects.get(slug="ossu-all")
    curriculum_import(actor=None, text=export_markdown(original), slug="copy-ossu-all")
    copy = Curriculum.objects.get(slug="copy-ossu-all")
    assert shape(copy) == shape(original)
    assert len(shape(original)[2]) >= 150
