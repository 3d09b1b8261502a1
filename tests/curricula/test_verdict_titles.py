"""Wrong-paper judging on labels the seeds do not have: link furniture for a label, LaTeX and
Greek in titles, spelling variants, and another paper's title one word away from this one's."""

from __future__ import annotations

import pytest

from curricula.arxiv.client import ArxivClient
from curricula.arxiv.services import arxiv_fetch
from curricula.models import TitleCheck
from curricula.verdicts.judge import DESCRIPTIVE, MATCHES, WRONG, Work, judge
from curricula.verify import titles_verify
from tests import factories
from tests.curricula.arxiv_fake import AtomArxiv, Record

RESNET = Work(
    "Deep Residual Learning for Image Recognition",
    "Deeper neural networks are more difficult to train. We present a residual learning "
    "framework to ease the training of networks that are substantially deeper.",
    ["Kaiming He", "Xiangyu Zhang"],
    2015,
)
DDPM = Record(
    "2006.11239",
    "Denoising Diffusion Probabilistic Models",
    "We present high quality image synthesis results using diffusion probabilistic models, a "
    "class of latent variable models inspired by considerations from nonequilibrium "
    "thermodynamics.",
    ["Jonathan Ho", "Ajay Jain", "Pieter Abbeel"],
    "2020-06-19",
)
DDIM = Record(
    "2010.02502",
    "Denoising Diffusion Implicit Models",
    "Denoising diffusion probabilistic models (DDPMs) have achieved high quality image "
    "generation without adversarial training, yet they require simulating a Markov chain for "
    "many steps to produce a sample. We present denoising diffusion implicit models (DDIMs).",
    ["Jiaming Song", "Chenlin Meng", "Stefano Ermon"],
    "2020-10-06",
)


@pytest.mark.parametrize(
    "label",
    ["Paper", "PDF", "[PDF]", "Link", "here", "arXiv", "Preprint", "this paper", "Source",
     "arxiv.org/abs/1512.03385", "https://arxiv.org/pdf/1512.03385v1.pdf", "1512.03385",
     "arXiv:hep-th/9901001v2", "Full text (PDF)", ""],
)  # fmt: skip
def test_a_label_that_names_no_work_is_never_a_wrong_paper(label):
    verdict = judge(label, RESNET)
    assert verdict.status == DESCRIPTIVE
    assert "names no work" in verdict.evidence[0]
    assert not verdict.weak  # nothing to search arXiv for


def test_a_furniture_label_that_is_the_pages_title_matches():
    assert judge("A blog post", Work("A blog post")).status == MATCHES


def test_a_furniture_label_with_an_alias_is_judged_by_the_alias():
    assert judge("PDF", RESNET, alias="Deep Residual Learning").status in (MATCHES, DESCRIPTIVE)
    assert judge("PDF", RESNET, alias="Adam").status == WRONG


@pytest.mark.parametrize(
    ("label", "real"),
    [
        ("Tuning α in Soft Actor-Critic", r"Tuning $\alpha$ in Soft Actor-Critic"),
        (r"\textbf{BERT}: Pre-training of Deep Bidirectional Transformers",
         "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"),
        ("Sharpness–Aware Minimization", "Sharpness-Aware Minimization for Efficiently "
         "Improving Generalization"),
        ("“Why Should I Trust You?” Explaining the Predictions of Any Classifier",
         '"Why Should I Trust You?": Explaining the Predictions of Any Classifier'),
        ("Regularisation and Generalisation in Overparameterised Models",
         "Regularization and Generalization in Overparameterized Models"),
        ("Generative Adversarial Networks", "Generative Adversarial Nets"),
        ("Pretraining Transformers with RL", "Pre-training Transformers with Reinforcement "
         "Learning"),
        ("GPT-4 Technical Report (v2)", "GPT-4 Technical Report"),
        ("Deep Residual Learning (ResNet)", "Deep Residual Learning for Images"),
        ("Anthropic — Towards Monosemanticity", "Towards Monosemanticity: Decomposing Language "
         "Models With Dictionary Learning"),
        ("Andrej Karpathy — Neural Nets: 20 Years", "Deep Neural Nets: 33 years ago and 33 "
         "years from now"),
    ],
)  # fmt: skip
def test_the_same_title_spelt_another_way_matches(label, real):
    assert judge(label, Work(real, "", ["Andrej Karpathy"], 2020)).status in (MATCHES, DESCRIPTIVE)


@pytest.mark.parametrize(
    ("label", "real", "said"),
    [
        ("Denoising Diffusion Implicit Models", DDPM.title, "implicit"),
        ("Visualizing and Understanding Convolutional Networks",
         "Visualizing and Understanding Recurrent Networks", "convolutional"),
        ("GPT-4 Technical Report", "GPT-3 Technical Report", "gpt 4"),
        ("The Llama 3 Herd of Models", "Llama 2: Open Foundation and Fine-Tuned Chat Models",
         "llama 3"),
        ("An Image is Worth 32x32 Words", "An Image is Worth 16x16 Words: Transformers for "
         "Image Recognition at Scale", "32x32"),
        ("Layer Normalization", "Batch Normalization: Accelerating Deep Network Training by "
         "Reducing Internal Covariate Shift", "layer"),
    ],
)  # fmt: skip
def test_another_papers_title_one_word_away_is_wrong(label, real, said):
    verdict = judge(label, Work(real, "We study this.", ["A. Author"], 2020))
    assert verdict.status == WRONG
    assert f"the label has '{said}'" in verdict.evidence[0]


def test_the_same_title_by_other_authors_years_apart_is_wrong():
    other = Work("Attention Is All You Need", "We study attention in vision.", ["Jane Smith"], 2021)
    verdict = judge("Attention Is All You Need (2017)", other)
    assert verdict.status == WRONG
    assert verdict.evidence == ["year 2021 vs label 2017"]
    named = judge("Attention Is All You Need — Vaswani et al.", other)
    assert named.status == WRONG
    assert named.evidence[0].startswith("label names Vaswani et al.")
    assert judge("Attention Is All You Need (2021)", other).status == MATCHES


def test_an_entry_date_alone_does_not_outweigh_the_title():
    # A list may date an entry by when it was added: the title still names the paper.
    other = Work("Attention Is All You Need", "We study attention in vision.", ["Jane Smith"], 2017)
    verdict = judge("Attention Is All You Need", other, date_text="Mar. 3 2023")
    assert verdict.status == MATCHES
    assert "year 2017 vs label 2023" in verdict.evidence


@pytest.fixture
def arxiv(fast_checker, httpserver, settings):
    fake = AtomArxiv([DDPM, DDIM])
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    settings.READLIST_ARXIV_API_URL = httpserver.url_for("/api/query")
    return fake


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "url",
    ["https://arxiv.org/pdf/2006.11239v2.pdf", "https://arxiv.org/html/2006.11239v1/",
     "https://export.arxiv.org/abs/2006.11239", "arxiv.org/pdf/2006.11239"],
)  # fmt: skip
def test_furniture_labels_pass_and_a_neighbours_title_is_flagged_with_its_paper(arxiv, url):
    curriculum = factories.make_curriculum()
    paper = factories.make_resource(url, kind="paper")
    plain = factories.make_entry(curriculum, "PDF", resource=paper)
    other = factories.make_curriculum()
    neighbour = factories.make_entry(other, "Denoising Diffusion Implicit Models", resource=paper)
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[paper.id], client=client)
    assert TitleCheck.objects.get(entry=plain).status == TitleCheck.Status.DESCRIPTIVE
    check = TitleCheck.objects.get(entry=neighbour)
    assert check.status == TitleCheck.Status.MISMATCH
    assert [s["arxiv_id"] for s in check.suggestions] == [DDIM.arxiv_id]


@pytest.mark.django_db(transaction=True)
def test_an_alphaxiv_link_is_judged_against_its_arxiv_paper(arxiv):
    curriculum = factories.make_curriculum()
    paper = factories.make_resource("https://www.alphaxiv.org/abs/2006.11239v2")
    right = factories.make_entry(curriculum, "Denoising Diffusion Probabilistic Models",
                                 resource=paper)  # fmt: skip
    wrong = factories.make_entry(
        factories.make_curriculum(), "Denoising Diffusion Implicit Models", resource=paper
    )
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[paper.id], client=client)
    paper.refresh_from_db()
    assert paper.title == DDPM.title
    assert TitleCheck.objects.get(entry=right).status == TitleCheck.Status.OK
    assert TitleCheck.objects.get(entry=wrong).status == TitleCheck.Status.MISMATCH


WITHDRAWN = Work(
    "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models",
    "This paper has been withdrawn by the authors due to an error in Section 3.",
    ["Zhihong Shao"],
    2024,
)


def test_a_withdrawn_papers_note_is_no_evidence_against_a_nickname():
    verdict = judge("GRPO", WITHDRAWN)
    assert verdict.status == DESCRIPTIVE
    assert verdict.weak  # arXiv is still asked whether "GRPO" is another paper's title
    assert "withdrawn" in verdict.evidence[0]


def test_a_withdrawn_paper_is_still_judged_by_its_title():
    assert judge("DeepSeekMath", WITHDRAWN).status == MATCHES
    other = judge("Sparse Autoencoders Find Interpretable Features", WITHDRAWN)
    assert other.status == WRONG


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("url", "page_title"),
    [("https://www.youtube.com/watch?v=kCc8FmEb1nY", "YouTube"),
     ("https://docs.google.com/document/d/abc/edit", "Google Docs"),
     ("https://www.alphaxiv.org/explore", "alphaXiv"),
     ("https://example.org/notes", "Loading..."),
     ("https://example.org/notes", "Untitled")],
)  # fmt: skip
def test_a_page_titled_only_with_its_sites_name_is_no_title_not_a_wrong_page(url, page_title):
    page = factories.make_resource(url, page_title=page_title)
    entry = factories.make_entry(
        factories.make_curriculum(), "Let's build GPT from scratch", resource=page
    )
    titles_verify(resource_ids=[page.id], search=False)
    check = TitleCheck.objects.get(entry=entry)
    assert check.status == TitleCheck.Status.NO_TITLE
    assert not check.flagged


@pytest.mark.django_db(transaction=True)
def test_a_page_title_beside_its_sites_name_is_still_judged():
    page = factories.make_resource(
        "https://www.youtube.com/watch?v=kCc8FmEb1nY", page_title="Intro to Knitting - YouTube"
    )
    entry = factories.make_entry(
        factories.make_curriculum(), "Let's build GPT from scratch", resource=page
    )
    titles_verify(resource_ids=[page.id], search=False)
    assert TitleCheck.objects.get(entry=entry).status == TitleCheck.Status.MISMATCH
