"""Title verification: the fuzzy match, the "wrong paper?" flag, suggestions, one-click fixes."""

from __future__ import annotations

import pytest

from curricula.arxiv.client import ArxivClient
from curricula.models import Entry, Resource, TitleCheck
from curricula.verify import (
    entry_accept_suggestion,
    entry_ignore_flag,
    search_phrase,
    title_score,
    titles_verify,
)
from tests import factories
from tests.curricula.workers_support import FakeArxiv

GOPHER = "Scaling Language Models: Methods, Analysis & Insights from Training Gopher"
OPT = "OPT: Open Pre-trained Transformer Language Models"


@pytest.mark.parametrize(
    ("curated", "real", "matches"),
    [
        ("Attention is all you need", "Attention Is All You Need", True),
        ("Attention Is All You Need.", "attention is all you need", True),
        ("The Pile", "The Pile: An 800GB Dataset of Diverse Text for Language Modeling", True),
        (
            "Data Selection for Language Models",
            "A Survey on Data Selection for Language Models",
            True,
        ),
        (
            "Anthropic — Red Teaming Language Models",
            "Red Teaming Language Models to Reduce Harms: Methods, Scaling Behaviors, and Lessons",
            True,
        ),
        ("Lil'Log: Prompt Engineering", "Prompt Engineering | Lil'Log", True),
        ("Résumé of BERT", "Resume of BERT", True),
        (OPT, GOPHER, False),
        (
            "Google — Beyond Accuracy",
            "Beyond Accuracy: Dissecting Mathematical Reasoning for LLMs Under Reinforcement "
            "Learning",
            False,
        ),
        (
            "Google – Beyond Accuracy",
            "Beyond Accuracy: Behavioral Testing of NLP Models – Google Research",
            True,
        ),
        ("Richard Sutton — The Bitter Lesson", "The Bitter Lesson", True),
        (
            "UL2: Unifying Language Learning Paradigms",
            "Artificial Intelligence: A Modern Approach",
            False,
        ),
        (
            "Language Models are Few-Shot Learners",
            "Training language models to follow instructions with human feedback",
            False,
        ),
        ("Deep Residual Learning", "Language Models", False),
    ],
)
def test_title_score(curated, real, matches, settings):
    assert (title_score(curated, real) >= settings.READLIST_TITLE_MATCH_THRESHOLD) is matches


@pytest.mark.parametrize(
    ("title", "phrase"),
    [
        ("Google — Beyond Accuracy", "beyond accuracy"),
        (OPT, "open pre trained transformer language models"),
        ("Attention Is All You Need", "Attention Is All You Need"),
    ],
)
def test_search_phrase_drops_an_org_prefix(title, phrase):
    assert search_phrase(title) == phrase


@pytest.fixture
def fake_arxiv(fast_checker, httpserver, settings):
    fake = FakeArxiv({"2112.11446": (GOPHER.replace("&", "&amp;"), 2), "2205.01068": (OPT, 4)})
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    settings.READLIST_ARXIV_API_URL = httpserver.url_for("/api/query")
    return fake


def _arxiv_resource(arxiv_id: str, title: str) -> Resource:
    return factories.make_resource(
        f"https://arxiv.org/abs/{arxiv_id}", title=title, arxiv_status="found", kind="paper"
    )


@pytest.mark.django_db
def test_wrong_paper_is_flagged_with_both_titles_and_suggestions(fake_arxiv):
    curriculum = factories.make_curriculum()
    gopher = _arxiv_resource("2112.11446", GOPHER)
    entry = factories.make_entry(curriculum, OPT, resource=gopher)
    with ArxivClient() as client:
        counts = titles_verify(resource_ids=[gopher.id], client=client)
    check = TitleCheck.objects.get(entry=entry)
    assert counts["mismatch"] == 1
    assert check.status == TitleCheck.Status.MISMATCH
    assert check.curated_title == OPT
    assert check.real_title == GOPHER
    assert check.suggestions[0]["arxiv_id"] == "2205.01068"
    assert check.suggestions[0]["score"] >= 0.95
    assert len(check.suggestions) <= 3
    gopher.refresh_from_db()
    assert gopher.verification == Resource.Verification.MISMATCH


@pytest.mark.django_db
def test_matching_title_is_ok():
    curriculum = factories.make_curriculum()
    gopher = _arxiv_resource("2112.11446", GOPHER)
    entry = factories.make_entry(
        curriculum, "Scaling language models — methods, analysis and insights", resource=gopher
    )
    counts = titles_verify(resource_ids=[gopher.id], client=None)
    check = TitleCheck.objects.get(entry=entry)
    assert check.status == TitleCheck.Status.OK
    assert check.source == TitleCheck.Source.ARXIV
    assert counts == {"ok": 1, "listed_twice": 0}
    gopher.refresh_from_db()
    assert gopher.verification == Resource.Verification.OK
    assert gopher.verification_score == check.score


@pytest.mark.django_db
def test_one_resource_under_two_titles_in_one_curriculum_is_flagged():
    curriculum = factories.make_curriculum()
    gopher = _arxiv_resource("2112.11446", GOPHER)
    right = factories.make_entry(curriculum, GOPHER, resource=gopher)
    wrong = factories.make_entry(curriculum, OPT, resource=gopher)
    titles_verify(resource_ids=[gopher.id], client=None)
    assert TitleCheck.objects.get(entry=right).conflict_title == OPT
    assert TitleCheck.objects.get(entry=wrong).conflict_title == GOPHER
    assert TitleCheck.objects.get(entry=right).status == TitleCheck.Status.OK


@pytest.mark.django_db(transaction=True)
def test_accepting_a_suggestion_moves_the_entry(
    fake_arxiv, admin_user, django_capture_on_commit_callbacks
):
    curriculum = factories.make_curriculum()
    gopher = _arxiv_resource("2112.11446", GOPHER)
    entry = factories.make_entry(curriculum, OPT, resource=gopher)
    with ArxivClient() as client:
        titles_verify(resource_ids=[gopher.id], client=client)
    moved_to = entry_accept_suggestion(actor=admin_user, entry=entry, arxiv_id="2205.01068")
    entry.refresh_from_db()
    assert entry.resource == moved_to
    assert moved_to.url == "https://arxiv.org/abs/2205.01068"
    assert moved_to.arxiv_id == "2205.01068"
    gopher.refresh_from_db()
    assert gopher.verification != Resource.Verification.MISMATCH
    with pytest.raises(ValueError, match="not one of"):
        entry_accept_suggestion(actor=admin_user, entry=entry, arxiv_id="9999.99999")


@pytest.mark.django_db
def test_ignore_holds_until_a_title_changes(admin_user):
    curriculum = factories.make_curriculum()
    gopher = _arxiv_resource("2112.11446", GOPHER)
    entry = factories.make_entry(curriculum, OPT, resource=gopher)
    titles_verify(resource_ids=[gopher.id], client=None)
    entry_ignore_flag(actor=admin_user, entry=entry)
    titles_verify(resource_ids=[gopher.id], client=None)
    assert TitleCheck.objects.get(entry=entry).status == TitleCheck.Status.IGNORED
    gopher.refresh_from_db()
    assert gopher.verification == Resource.Verification.IGNORED
    Entry.objects.filter(id=entry.id).update(title="GPT-3")
    titles_verify(resource_ids=[gopher.id], client=None)
    assert TitleCheck.objects.get(entry=entry).status == TitleCheck.Status.MISMATCH


@pytest.mark.django_db
def test_non_arxiv_page_title_is_compared():
    curriculum = factories.make_curriculum()
    page = factories.make_resource(
        "https://lilianweng.github.io/posts/prompt", page_title="Prompt Engineering | Lil'Log"
    )
    other = factories.make_resource("https://example.org/blog", page_title="Cooking with garlic")
    ok = factories.make_entry(curriculum, "Prompt Engineering", resource=page)
    bad = factories.make_entry(curriculum, "Chain-of-Thought Prompting", resource=other)
    titles_verify(resource_ids=[page.id, other.id], client=None)
    assert TitleCheck.objects.get(entry=ok).status == TitleCheck.Status.OK
    assert TitleCheck.objects.get(entry=ok).source == TitleCheck.Source.PAGE
    assert TitleCheck.objects.get(entry=bad).status == TitleCheck.Status.MISMATCH


@pytest.mark.django_db
def test_paper_without_arxiv_id_gets_candidates(fake_arxiv):
    curriculum = factories.make_curriculum()
    resource = factories.make_resource("https://openreview.net/forum?id=abc", kind="paper")
    entry = factories.make_entry(curriculum, OPT, resource=resource)
    with ArxivClient() as client:
        titles_verify(resource_ids=[resource.id], client=client)
    check = TitleCheck.objects.get(entry=entry)
    assert check.status == TitleCheck.Status.NO_TITLE
    assert [s["arxiv_id"] for s in check.suggestions] == ["2205.01068"]


@pytest.mark.django_db
def test_retired_entries_are_not_verified():
    curriculum = factories.make_curriculum()
    gopher = _arxiv_resource("2112.11446", GOPHER)
    revision = curriculum.revisions.create(number=1, sha256="x", source_text="")
    factories.make_entry(curriculum, OPT, resource=gopher, retired_in=revision)
    titles_verify(resource_ids=[gopher.id], client=None)
    assert not TitleCheck.objects.exists()
