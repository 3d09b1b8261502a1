"""A web page's description: read by the link checker, kept through failed fetches, and read by
the title check as the page's abstract (right pages with a model-name label pass, wrong ones
are still flagged)."""

from __future__ import annotations

import pytest

from curricula.linkhealth import checker, services
from curricula.linkhealth.pagetext import DESCRIPTION_MAX_CHARS, read_enough, read_page
from curricula.models import Resource, TitleCheck
from curricula.verdicts.judge import DESCRIPTIVE, MATCHES, WRONG, judge, page_work
from curricula.verify import titles_verify
from readlist import http
from tests import factories

INSTRUCT_TITLE = "Aligning language models to follow instructions | OpenAI"
INSTRUCT_DESCRIPTION = (
    "We've trained language models that are much better at following user intentions than "
    "GPT-3 while also making them more truthful and less toxic, using techniques developed "
    "through our alignment research. These InstructGPT models, which are trained with humans "
    "in the loop, are now deployed as the default language models on our API."
)
CHINCHILLA_TITLE = (
    "An empirical analysis of compute-optimal large language model training - Google DeepMind"
)
CHINCHILLA_DESCRIPTION = (
    "We ask the question: what is the optimal model size and number of training tokens for a "
    "given compute budget? We find that for compute-optimal training, the model size and the "
    "number of training tokens should be scaled equally. We test this hypothesis by training a "
    "predicted compute-optimal model, Chinchilla, that uses the same compute budget as Gopher "
    "but with 70B parameters and 4x more data."
)
LONG = "This paragraph explains what the page is about in enough words to be its description."


# --- reading a page -----------------------------------------------------------------------------


def test_meta_description_is_the_description():
    html = (
        "<html><head><title>T</title>"
        '<meta name="description" content="  The page\'s   own &amp; summary. ">'
        '<meta property="og:description" content="Social summary"></head>'
        f"<body><main><p>{LONG}</p></main></body></html>"
    )
    assert read_page(html) == ("T", "The page's own & summary.")


@pytest.mark.parametrize("key", ["property", "name"])
def test_og_description_when_there_is_no_meta_description(key):
    html = (
        f'<head><title>T</title><meta {key}="og:description" content="From Open Graph">'
        '<meta name="twitter:description" content="From Twitter"></head>'
    )
    assert read_page(html)[1] == "From Open Graph"


def test_twitter_description_when_that_is_all():
    html = '<head><meta name="twitter:description" content="From Twitter"></head>'
    assert read_page(html)[1] == "From Twitter"


def test_first_substantial_paragraph_of_the_main_content_when_no_meta():
    html = (
        "<html><head><title>Docs</title></head><body>"
        f"<nav><p>{LONG} (navigation)</p></nav>"
        f"<header><p>{LONG} (header)</p></header>"
        "<p>Outside main, before it: long enough to count but not in the main content.</p>"
        "<main><p>By Jane, 3 May</p>"
        "<p>InstructGPT models follow instructions <b>much</b> better than their base models "
        "do, as people who rated them said.<script>var x = '<p>no</p>';</script></p>"
        f"<p>{LONG} (second)</p></main></body></html>"
    )
    assert read_page(html)[1] == (
        "InstructGPT models follow instructions much better than their base models do, as "
        "people who rated them said."
    )


def test_first_substantial_paragraph_of_the_body_on_a_page_without_main():
    html = f"<body><footer><p>{LONG} (footer)</p></footer><p>short</p><p>{LONG}</p></body>"
    assert read_page(html)[1] == LONG


def test_description_is_bounded_at_a_word():
    words = " ".join(f"word{i}" for i in range(1000))
    description = read_page(f'<head><meta name="description" content="{words}"></head>')[1]
    assert len(description) <= DESCRIPTION_MAX_CHARS
    assert description.endswith("…")
    assert description[:-1].split()[-1].startswith("word")
    assert words.startswith(description[:-1])


def test_malformed_html_still_gives_title_and_paragraph():
    html = (
        "<html><head><title>Broken &amp; fine</title></head><body><div><article>"
        f"<p>{LONG}<p>A second, unclosed paragraph</div></span></table>"
        "<nav><p>an unclosed nav"
    )
    assert read_page(html) == ("Broken & fine", LONG)


def test_unclosed_paragraph_at_the_end_of_a_cut_page_counts():
    assert read_page(f"<head></head><body><main><p>{LONG}")[1] == LONG


def test_no_description_is_empty():
    html = "<html><head><title>Only a title</title></head><body><p>Short.</p><div>x</div>"
    assert read_page(html) == ("Only a title", "")
    assert read_page("") == ("", "")
    assert read_page("<<<>>>&&&\x00") == ("", "")


def test_reading_stops_at_the_head_with_a_description_and_later_without():
    head = b'<html><head><title>T</title><meta name="description" content="d"></head><body>'
    assert read_enough(head)
    bare = b"<html><head><title>T</title></head><body><main><p>text"
    assert not read_enough(bare)
    assert read_enough(bare + b"</p></main>")
    assert read_enough(bare + b"x" * 70_000)
    assert not read_enough(b"<html><head><title>T</title>")


# --- the link checker keeps it --------------------------------------------------------------------


def _check(url: str) -> checker.Outcome:
    conf = checker.CheckSettings.from_settings()
    with http.make_client() as client:
        return checker.check_one(url, client=client, conf=conf)


@pytest.mark.django_db(transaction=True)
def test_checker_reads_the_description_and_stops_after_the_head(fast_checker, httpserver):
    page = (
        f"<html><head><title>{INSTRUCT_TITLE}</title>"
        f'<meta name="description" content="{INSTRUCT_DESCRIPTION}"></head><body>'
    ).encode() + b"z" * 1_000_000
    httpserver.expect_request("/instruct").respond_with_data(page, content_type="text/html")
    out = _check(httpserver.url_for("/instruct"))
    assert out.outcome == "ok"
    assert out.page_title == INSTRUCT_TITLE
    assert out.page_description == INSTRUCT_DESCRIPTION


@pytest.mark.django_db(transaction=True)
def test_checker_reads_past_the_head_for_a_paragraph(fast_checker, httpserver):
    page = (
        "<html><head><title>Guide</title></head><body><nav>menu</nav>"
        + "<div>padding</div>" * 2000
        + f"<main><p>{LONG}</p></main>"
        + "<div>rest</div>" * 50_000
    )
    httpserver.expect_request("/guide").respond_with_data(page, content_type="text/html")
    out = _check(httpserver.url_for("/guide"))
    assert out.page_description == LONG


@pytest.mark.django_db(transaction=True)
def test_error_pages_give_no_description(fast_checker, httpserver):
    httpserver.expect_request("/gone").respond_with_data(
        '<head><title>Not found</title><meta name="description" content="Oops"></head>',
        status=404,
        content_type="text/html",
    )
    out = _check(httpserver.url_for("/gone"))
    assert (out.outcome, out.page_title, out.page_description) == ("broken", "", "")


@pytest.mark.django_db(transaction=True)
def test_link_check_run_stores_the_description(fast_checker, httpserver):
    httpserver.expect_request("/instruct").respond_with_data(
        f'<head><title>{INSTRUCT_TITLE}</title><meta property="og:description" '
        f'content="{INSTRUCT_DESCRIPTION}"></head>',
        content_type="text/html",
    )
    resource = factories.make_resource(httpserver.url_for("/instruct"))
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.page_title == INSTRUCT_TITLE
    assert resource.page_description == INSTRUCT_DESCRIPTION


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failure", [503, 403, "bot wall"])
def test_a_failed_fetch_keeps_the_old_description(fast_checker, httpserver, failure):
    resource = factories.make_resource(
        httpserver.url_for("/instruct"),
        health="ok",
        page_title=INSTRUCT_TITLE,
        page_description=INSTRUCT_DESCRIPTION,
    )
    if failure == "bot wall":
        httpserver.expect_request("/instruct").respond_with_data(
            "<title>Just a moment...</title><script src='/cdn-cgi/challenge-platform/h'>",
            content_type="text/html",
        )
    else:
        httpserver.expect_request("/instruct").respond_with_data(
            '<head><title>Error</title><meta name="description" content="Try later"></head>',
            status=failure,
            content_type="text/html",
        )
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.last_checked_at is not None  # it was checked, and failed
    assert resource.page_title == INSTRUCT_TITLE
    assert resource.page_description == INSTRUCT_DESCRIPTION


@pytest.mark.django_db(transaction=True)
def test_a_page_that_dropped_its_description_loses_it(fast_checker, httpserver):
    """Read fine, no description now: the old one no longer describes this page."""
    resource = factories.make_resource(
        httpserver.url_for("/p"), page_title="Old", page_description="Old description"
    )
    httpserver.expect_request("/p").respond_with_data(
        "<title>New</title>", content_type="text/html"
    )
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert (resource.page_title, resource.page_description) == ("New", "")


# --- the title check reads it -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "title", "description", "site", "because"),
    [
        (
            "InstructGPT",
            INSTRUCT_TITLE,
            INSTRUCT_DESCRIPTION,
            "openai.com",
            "'InstructGPT' is named in the page's description",
        ),
        (
            "Chinchilla Revisited",
            CHINCHILLA_TITLE,
            CHINCHILLA_DESCRIPTION,
            "deepmind.google",
            "'Chinchilla' is introduced in the page's description",
        ),
        (
            "ORPO explained",
            "Fine-tune Llama 3 with a single preference step - Hugging Face",
            "Odds Ratio Preference Optimization (ORPO) combines instruction tuning and "
            "preference alignment into one training process.",
            "huggingface.co",
            "'ORPO' is defined in the page's description as Odds Ratio Preference Optimization",
        ),
    ],
)
def test_a_right_page_named_only_in_its_description_is_descriptive(
    label, title, description, site, because
):
    verdict = judge(label, page_work(title, description), site=site)
    assert verdict.status == DESCRIPTIVE
    assert verdict.evidence[0] == because


@pytest.mark.parametrize(
    ("label", "title", "description", "site"),
    [
        # Nothing in common: the label names another work.
        ("InstructGPT", CHINCHILLA_TITLE, CHINCHILLA_DESCRIPTION, "deepmind.google"),
        ("Chinchilla Revisited", INSTRUCT_TITLE, INSTRUCT_DESCRIPTION, "openai.com"),
        ("Attention Is All You Need", INSTRUCT_TITLE, INSTRUCT_DESCRIPTION, "openai.com"),
        # Named only in passing, as what the page's work is compared with.
        ("GPT-3", INSTRUCT_TITLE, INSTRUCT_DESCRIPTION, "openai.com"),
        ("Gopher", CHINCHILLA_TITLE, CHINCHILLA_DESCRIPTION, "deepmind.google"),
        # A field acronym the description spells out names a subject, not this page.
        (
            "RLHF",
            INSTRUCT_TITLE,
            "Models tuned with reinforcement learning from human "
            "feedback (RLHF) follow instructions.",
            "openai.com",
        ),
        # A capitalised word of the label in the description is not a name the page is about.
        (
            "Transformer Circuits",
            "Visualizing attention, step by step",
            "We explain how the Transformer architecture turns a sentence into vectors and back.",
            "example.org",
        ),
        # Without a description, a model name alone is not found anywhere.
        ("InstructGPT", INSTRUCT_TITLE, "", "openai.com"),
        (
            "Flash Attention",
            "Never Gonna Give You Up - YouTube",
            "The official video for Never Gonna Give You Up by Rick Astley.",
            "www.youtube.com",
        ),
    ],
)
def test_a_wrong_page_is_still_flagged(label, title, description, site):
    verdict = judge(label, page_work(title, description), site=site)
    assert verdict.status == WRONG, verdict.evidence


@pytest.mark.parametrize(
    ("label", "title"),
    [
        ("Aligning language models to follow instructions", INSTRUCT_TITLE),
        (
            "Let's build GPT: from scratch, in code",
            "Let's build GPT: from scratch, in code - YouTube",
        ),
        ("torch.compile tutorial", "Introduction to torch.compile — PyTorch Tutorials 2.5 docs"),
        (
            "An empirical analysis of compute-optimal large language model training",
            "An empirical analysis of compute-optimal large language model training — Google "
            "DeepMind",
        ),
    ],
)
def test_a_site_name_suffix_or_docs_title_does_not_count_against_a_title(label, title):
    assert judge(label, page_work(title, "")).status == MATCHES


@pytest.mark.django_db
def test_titles_verify_reads_the_stored_description():
    curriculum = factories.make_curriculum()
    right = factories.make_entry(
        curriculum,
        "InstructGPT",
        resource=factories.make_resource(
            "https://openai.com/research/instruction-following",
            page_title=INSTRUCT_TITLE,
            page_description=INSTRUCT_DESCRIPTION,
        ),
    )
    wrong = factories.make_entry(
        curriculum,
        "Chinchilla Revisited",
        resource=factories.make_resource(
            "https://openai.com/research/other",
            page_title=INSTRUCT_TITLE,
            page_description=INSTRUCT_DESCRIPTION,
        ),
    )
    titles_verify(resource_ids=[right.resource_id, wrong.resource_id], search=False)
    checks = {c.entry_id: c for c in TitleCheck.objects.all()}
    assert checks[right.id].status == TitleCheck.Status.DESCRIPTIVE
    assert checks[right.id].evidence == ["'InstructGPT' is named in the page's description"]
    assert checks[wrong.id].status == TitleCheck.Status.MISMATCH
    assert checks[wrong.id].evidence == ["no overlap with title or page's description"]
    assert Resource.objects.get(id=right.resource_id).page_description == INSTRUCT_DESCRIPTION
