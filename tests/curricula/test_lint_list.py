"""`manage.py lint_list FILE`: wrong papers and dead links fail a list; nothing is stored."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curricula.models import Curriculum, Resource
from tests.curricula.arxiv_fake import AtomArxiv, Record

GPT3 = Record(
    "2005.14165",
    "Language Models are Few-Shot Learners",
    "Specifically, we train GPT-3, an autoregressive language model with 175 billion "
    "parameters, and test its performance in the few-shot setting.",
    ["Tom B. Brown", "Benjamin Mann"],
    "2020-05-28",
)
NOISE = Record(
    "1812.06162",
    "An Empirical Model of Large-Batch Training",
    "We demonstrate that a simple and easy-to-measure statistic called the gradient noise "
    "scale predicts the largest useful batch size.",
    ["Sam McCandlish", "Jared Kaplan"],
    "2018-12-14",
)


@pytest.fixture
def web(fast_checker, httpserver, settings):
    fake = AtomArxiv([GPT3, NOISE])
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    settings.READLIST_ARXIV_API_URL = httpserver.url_for("/api/query")
    httpserver.expect_request("/post").respond_with_data(
        "<html><head><title>Prompt Engineering | Lil'Log</title></head></html>",
        content_type="text/html",
    )
    httpserver.expect_request("/gone").respond_with_data("Not found", status=404)
    return httpserver


def _list(tmp_path, web, lines: list[str]):
    path = tmp_path / "list.md"
    path.write_text("# My reading list\n\n" + "\n".join(lines) + "\n")
    return str(path)


@pytest.mark.django_db
def test_a_clean_list_passes(tmp_path, web):
    path = _list(
        tmp_path,
        web,
        [
            "- [GPT-3 Lessons](https://arxiv.org/abs/2005.14165)",
            "- [Gradient Noise Scale](https://arxiv.org/abs/1812.06162)",
            f"- [Prompt Engineering]({web.url_for('/post')})",
        ],
    )
    out = StringIO()
    call_command("lint_list", path, stdout=out)
    assert "3 links" in out.getvalue()
    assert "No wrong papers, no dead links." in out.getvalue()
    assert not Resource.objects.exists() and not Curriculum.objects.exists()


@pytest.mark.django_db
def test_wrong_papers_and_dead_links_fail_the_list(tmp_path, web):
    path = _list(
        tmp_path,
        web,
        [
            "- [Gradient Noise Scale](https://arxiv.org/abs/2005.14165)",
            f"- [A post that moved]({web.url_for('/gone')})",
            f"- [Chain-of-thought prompting]({web.url_for('/post')})",
        ],
    )
    out = StringIO()
    with pytest.raises(CommandError, match="3 problem"):
        call_command("lint_list", path, "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    kinds = sorted(p["problem"] for p in report["problems"])
    assert kinds == ["dead link", "wrong page?", "wrong paper?"]
    wrong = next(p for p in report["problems"] if p["problem"] == "wrong paper?")
    assert "Language Models are Few-Shot Learners" in wrong["message"]
    assert wrong["line"] == 3
    assert not Resource.objects.exists()


@pytest.mark.django_db
def test_arxiv_down_is_a_warning_not_a_verdict(tmp_path, web, settings):
    settings.READLIST_ARXIV_API_URL = web.url_for("/down")
    web.expect_request("/down").respond_with_data("busy", status=503)
    settings.READLIST_ARXIV_RETRIES = 1
    path = _list(tmp_path, web, ["- [Gradient Noise Scale](https://arxiv.org/abs/2005.14165)"])
    out = StringIO()
    call_command("lint_list", path, stdout=out)
    assert "warning: arXiv unavailable, papers not judged" in out.getvalue()


def test_an_unreadable_file_is_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("lint_list", str(tmp_path / "missing.md"))
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("lint_list", str(bad))
