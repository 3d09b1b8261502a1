"""Notes render inert whatever they hold."""

from __future__ import annotations

import pytest

from notes.markdown import render
from tests.notes.htmlcheck import assert_inert


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<img src="x" onerror="alert(1)">',
        "![x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_dangerous_markup_renders_inert(text):
    assert_inert(render(text))


def test_markdown_links_open_safely():
    html = render("[paper](https://arxiv.org/abs/1706.03762)")
    assert 'href="https://arxiv.org/abs/1706.03762"' in html
    assert "noopener" in html and "noreferrer" in html


def test_headings_lists_and_code_survive():
    html = render("## Knob\n\n- one\n- two\n\n`code`")
    assert "<h2>Knob</h2>" in html and "<li>one</li>" in html and "<code>code</code>" in html


@pytest.mark.parametrize(
    "src",
    [
        "https://tracker.example/pixel.gif?who=me",
        "http://tracker.example/p.png",
        "//tracker.example/p.png",
        "HTTPS://TRACKER.EXAMPLE/P.PNG",
    ],
)
def test_a_remote_image_becomes_a_link_and_loads_nothing(src):
    """A shared note's image would be fetched by every teammate who opens it (a tracking
    pixel): it is shown as a link instead."""
    html = render(f"Look: ![the diagram]({src})")
    assert "<img" not in html
    assert "the diagram (image)</a>" in html and "tracker.example" in html.lower()


def test_an_image_on_this_site_stays_an_image():
    html = render("![chart](/static/chart.png)")
    assert '<img src="/static/chart.png" alt="chart">' in html


def test_rendered_texts_are_kept_by_their_text_and_long_ones_are_not_kept():
    from notes import markdown

    first = render("**kept** <script>x</script>")
    assert render("**kept** <script>x</script>") == first and "<strong>kept</strong>" in first
    assert "<script>" not in first
    assert render("**other**") != first
    kept = markdown._render_memo.cache_info().currsize
    long = "word " * 2000 + "**end**"
    assert render(long).endswith("<strong>end</strong></p>\n")
    assert markdown._render_memo.cache_info().currsize == kept
