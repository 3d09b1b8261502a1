"""Verdicts a curator can trust: three outcomes with evidence, candidates worth clicking, a fix
that keeps people's work, and state that survives arXiv's bad days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from curricula.arxiv.client import ArxivClient
from curricula.arxiv.services import arxiv_fetch
from curricula.models import Resource, TitleCheck
from curricula.verdicts.judge import DESCRIPTIVE, MATCHES, WRONG, Work, judge
from curricula.verify import entry_accept_suggestion, titles_verify
from notes.models import Activity, Note, Progress
from tests import factories
from tests.curricula.arxiv_fake import AtomArxiv, Record

KAPLAN = Record(
    "2001.08361",
    "Scaling Laws for Neural Language Models",
    "We study empirical scaling laws for language model performance on the cross-entropy loss. "
    "The loss scales as a power-law with model size, dataset size, and the amount of compute "
    "used for training. Larger models are significantly more sample-efficient, such that "
    "optimally compute-efficient training involves training very large models on a relatively "
    "modest amount of data.",
    ["Jared Kaplan", "Sam McCandlish", "Tom Henighan", "Tom B. Brown"],
    "2020-01-23",
)
CHINCHILLA = Record(
    "2203.15556",
    "Training Compute-Optimal Large Language Models",
    "We investigate the optimal model size and number of tokens for training a transformer "
    "language model under a given compute budget. We find that current large language models "
    "are significantly undertrained, a consequence of the recent focus on scaling language "
    "models whilst keeping the amount of training data constant. We test this hypothesis by "
    "training a predicted "
    "compute-optimal model, Chinchilla, that uses the same compute budget as Gopher but with "
    "4x more data.",
    ["Jordan Hoffmann", "Sebastian Borgeaud", "Arthur Mensch"],
    "2022-03-29",
)
DEEPSEEKMATH = Record(
    "2402.03300",
    "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models",
    "Mathematical reasoning poses a significant challenge for language models. We introduce "
    "DeepSeekMath 7B. Second, we introduce Group Relative Policy Optimization (GRPO), a variant "
    "of Proximal Policy Optimization (PPO), that enhances mathematical reasoning abilities while "
    "concurrently optimizing the memory usage of PPO.",
    ["Zhihong Shao", "Peiyi Wang", "Qihao Zhu"],
    "2024-02-05",
)
NOISE = Record(
    "1812.06162",
    "An Empirical Model of Large-Batch Training",
    "In an increasing number of domains it has been demonstrated that deep learning models can "
    "be trained using relatively large batch sizes without sacrificing data efficiency. In this "
    "paper we demonstrate that a simple and easy-to-measure statistic called the gradient noise "
    "scale predicts the largest useful batch size across many domains and applications.",
    ["Sam McCandlish", "Jared Kaplan", "Dario Amodei"],
    "2018-12-14",
)
RECORDS = [KAPLAN, CHINCHILLA, DEEPSEEKMATH, NOISE]


def work(record: Record) -> Work:
    return Work(record.title, record.abstract, record.authors, int(record.published[:4]))


@pytest.mark.parametrize(
    ("label", "record", "status", "because"),
    [
        ("Scaling Laws for Neural Language Models", KAPLAN, MATCHES, "title similarity"),
        ("GRPO", DEEPSEEKMATH, DESCRIPTIVE, "'GRPO' is defined in the abstract as Group"),
        ("Group Relative Policy Optimization (GRPO)", DEEPSEEKMATH, DESCRIPTIVE, "abstract"),
        ("Chinchilla Scaling Laws", CHINCHILLA, DESCRIPTIVE, "'Chinchilla' is introduced"),
        ("Gradient Noise Scale", NOISE, DESCRIPTIVE, "'Gradient Noise Scale' is in the abstract"),
        ("McCandlish et al., 2018", NOISE, DESCRIPTIVE, "first author McCandlish named"),
        ("Chinchilla Scaling Laws", KAPLAN, WRONG, "only Scaling, Laws"),
        ("Gradient Noise Scale", CHINCHILLA, WRONG, "no overlap with title or abstract"),
        ("McCandlish et al., 2018", CHINCHILLA, WRONG, "label names McCandlish et al."),
        ("GRPO", KAPLAN, WRONG, "'GRPO' appears nowhere"),
        ("Training Compute-Optimal Large Language Models", KAPLAN, WRONG, "reads like a title"),
        ("Scaling Laws (2015)", KAPLAN, WRONG, "year 2020 vs label 2015"),
    ],
)
def test_three_verdicts_with_their_evidence(label, record, status, because):
    verdict = judge(label, work(record))
    assert verdict.status == status
    assert any(because in line for line in verdict.evidence), verdict.evidence


def test_an_alias_the_paper_names_supports_a_nickname():
    gpt3 = Work(
        "Language Models are Few-Shot Learners",
        "We train GPT-3, an autoregressive language model with 175 billion parameters.",
        ["Tom B. Brown"],
        2020,
    )
    assert judge("GPT-3 Lessons", gpt3).status == DESCRIPTIVE
    assert judge("Big model retrospective", gpt3, alias="GPT-3").status == DESCRIPTIVE
    assert judge("Big model retrospective", gpt3).status == WRONG


@pytest.fixture
def arxiv(fast_checker, httpserver, settings):
    fake = AtomArxiv(RECORDS)
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    settings.READLIST_ARXIV_API_URL = httpserver.url_for("/api/query")
    return fake


def _paper(record: Record) -> Resource:
    return factories.make_resource(f"https://arxiv.org/abs/{record.arxiv_id}", kind="paper")


@pytest.mark.django_db(transaction=True)
def test_descriptive_label_is_not_flagged_and_shows_why(arxiv):
    curriculum = factories.make_curriculum()
    paper = _paper(DEEPSEEKMATH)
    entry = factories.make_entry(curriculum, "GRPO", resource=paper)
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[paper.id], client=client)
    check = TitleCheck.objects.get(entry=entry)
    assert check.status == TitleCheck.Status.DESCRIPTIVE
    assert not check.flagged
    assert check.evidence[0].startswith("'GRPO' is defined in the abstract")
    paper.refresh_from_db()
    assert paper.verification == Resource.Verification.OK


@pytest.mark.django_db(transaction=True)
def test_wrong_paper_gets_only_candidates_the_judge_supports(arxiv):
    curriculum = factories.make_curriculum()
    paper = _paper(KAPLAN)
    entry = factories.make_entry(curriculum, "Chinchilla Scaling Laws", resource=paper)
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[paper.id], client=client)
    check = TitleCheck.objects.get(entry=entry)
    assert check.status == TitleCheck.Status.MISMATCH
    assert [s["arxiv_id"] for s in check.suggestions] == [CHINCHILLA.arxiv_id]
    assert check.suggestions[0]["score"] >= 0.6
    assert "Chinchilla" in check.suggestions[0]["reason"]


@pytest.mark.django_db(transaction=True)
def test_no_candidate_is_better_than_a_wrong_one(arxiv):
    curriculum = factories.make_curriculum()
    paper = _paper(KAPLAN)
    entry = factories.make_entry(curriculum, "Neural Tangent Kernel Lessons", resource=paper)
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[paper.id], client=client)
    assert TitleCheck.objects.get(entry=entry).suggestions == []


@pytest.mark.django_db(transaction=True)
def test_the_search_budget_rotates_over_flagged_entries(arxiv):
    curriculum = factories.make_curriculum()
    first = factories.make_entry(curriculum, "Chinchilla Scaling Laws", resource=_paper(KAPLAN))
    second = factories.make_entry(curriculum, "GRPO", resource=_paper(NOISE))
    ids = [first.resource_id, second.resource_id]
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=ids, client=client, verify=False)
        titles_verify(resource_ids=ids, client=client, max_searches=1)
        titles_verify(resource_ids=ids, client=client, max_searches=1)
    searched = TitleCheck.objects.filter(entry__in=[first, second], searched_at__isnull=False)
    assert searched.count() == 2
    assert TitleCheck.objects.get(entry=second).suggestions[0]["arxiv_id"] == "2402.03300"


@pytest.mark.django_db(transaction=True)
def test_an_empty_search_answer_is_asked_again(arxiv):
    curriculum = factories.make_curriculum()
    entry = factories.make_entry(curriculum, "Chinchilla Scaling Laws", resource=_paper(KAPLAN))
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[entry.resource_id], client=client, verify=False)
        arxiv.empty_first = 1
        titles_verify(resource_ids=[entry.resource_id], client=client)
    assert TitleCheck.objects.get(entry=entry).suggestions[0]["arxiv_id"] == "2203.15556"


@pytest.mark.django_db(transaction=True)
def test_a_search_that_answers_nothing_keeps_the_old_candidates(arxiv):
    curriculum = factories.make_curriculum()
    entry = factories.make_entry(curriculum, "Chinchilla Scaling Laws", resource=_paper(KAPLAN))
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[entry.resource_id], client=client)
        before = TitleCheck.objects.get(entry=entry)
        assert before.suggestions
        arxiv.empty_first = 100
        titles_verify(resource_ids=[entry.resource_id], client=client)
    after = TitleCheck.objects.get(entry=entry)
    assert after.suggestions == before.suggestions
    assert after.status == TitleCheck.Status.MISMATCH


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failure", ["503", "timeout"])
def test_arxiv_failures_change_no_stored_verdict(arxiv, settings, failure):
    settings.READLIST_ARXIV_RETRIES = 1
    curriculum = factories.make_curriculum()
    entry = factories.make_entry(curriculum, "Chinchilla Scaling Laws", resource=_paper(KAPLAN))
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[entry.resource_id], client=client)
    before = TitleCheck.objects.get(entry=entry)
    if failure == "503":
        arxiv.fail_first = [503] * 10
        client = ArxivClient()
    else:
        arxiv.slow_first = 1.5
        client = ArxivClient(timeout=0.5)
    with client, pytest.raises(Exception, match="arXiv"):
        arxiv_fetch(resource_ids=[entry.resource_id], client=client)
    after = TitleCheck.objects.get(entry=entry)
    paper = Resource.objects.get(pk=entry.resource_id)
    assert (after.status, after.suggestions, after.evidence) == (
        before.status,
        before.suggestions,
        before.evidence,
    )
    assert paper.arxiv_status == Resource.ArxivStatus.FOUND


DAY1 = datetime(2026, 3, 2, 10, tzinfo=UTC)
DAY2 = datetime(2026, 3, 3, 10, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_a_found_paper_missing_once_is_inconclusive_until_missing_on_a_later_day(arxiv):
    curriculum = factories.make_curriculum()
    entry = factories.make_entry(curriculum, "Chinchilla Scaling Laws", resource=_paper(KAPLAN))
    other = factories.make_entry(curriculum, "GRPO", resource=_paper(DEEPSEEKMATH))
    ids = [entry.resource_id, other.resource_id]
    with ArxivClient() as client:
        with time_machine.travel(DAY1, tick=True):
            arxiv_fetch(resource_ids=ids, client=client)
            before = TitleCheck.objects.get(entry=entry)
            arxiv.empty_ids = {KAPLAN.arxiv_id}  # a partial feed: one paper left out
            counts = arxiv_fetch(resource_ids=ids, client=client)
            again = arxiv_fetch(resource_ids=ids, client=client)  # the same day: still unsure
        paper = Resource.objects.get(pk=entry.resource_id)
        assert counts["inconclusive"] == 1 and again["inconclusive"] == 1
        assert paper.arxiv_status == Resource.ArxivStatus.FOUND
        assert paper.title == KAPLAN.title
        after = TitleCheck.objects.get(entry=entry)
        assert (after.status, after.suggestions) == (before.status, before.suggestions)
        with time_machine.travel(DAY2, tick=True):
            counts = arxiv_fetch(resource_ids=ids, client=client)
    assert counts["not_found"] == 1
    assert Resource.objects.get(pk=entry.resource_id).arxiv_status == "not_found"


@pytest.mark.django_db(transaction=True)
def test_a_paper_back_after_a_flap_clears_the_guard(arxiv):
    curriculum = factories.make_curriculum()
    entry = factories.make_entry(curriculum, "Chinchilla Scaling Laws", resource=_paper(KAPLAN))
    with ArxivClient() as client:
        with time_machine.travel(DAY1, tick=True):
            arxiv_fetch(resource_ids=[entry.resource_id], client=client)
            arxiv.empty_ids = {KAPLAN.arxiv_id}
            factories.make_entry(curriculum, "GRPO", resource=_paper(DEEPSEEKMATH))
            ids = list(Resource.objects.values_list("id", flat=True))
            arxiv_fetch(resource_ids=ids, client=client)
            arxiv.empty_ids = set()
            arxiv_fetch(resource_ids=ids, client=client)
        arxiv.empty_ids = {KAPLAN.arxiv_id}
        with time_machine.travel(DAY2, tick=True):
            counts = arxiv_fetch(resource_ids=ids, client=client)
    assert counts["inconclusive"] == 1
    assert Resource.objects.get(pk=entry.resource_id).arxiv_status == "found"


@pytest.mark.django_db(transaction=True)
def test_an_all_empty_run_writes_nothing_and_the_command_fails(arxiv, settings):
    settings.READLIST_ARXIV_RETRIES = 2
    curriculum = factories.make_curriculum()
    entries = [
        factories.make_entry(curriculum, "Chinchilla Scaling Laws", resource=_paper(KAPLAN)),
        factories.make_entry(curriculum, "GRPO", resource=_paper(DEEPSEEKMATH)),
        factories.make_entry(curriculum, "Gradient Noise Scale", resource=_paper(NOISE)),
    ]
    ids = [e.resource_id for e in entries]
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=ids, client=client)
    before = list(TitleCheck.objects.order_by("id").values("status", "suggestions", "evidence"))
    arxiv.empty_first = 1000
    with ArxivClient() as client:
        counts = arxiv_fetch(resource_ids=ids, client=client)
    assert counts["mostly_empty"] == 1 and counts["unanswered"] == 3
    assert set(Resource.objects.values_list("arxiv_status", flat=True)) == {"found"}
    with pytest.raises(CommandError, match="empty feeds"):
        call_command("fetch_arxiv", "--all")
    after = list(TitleCheck.objects.order_by("id").values("status", "suggestions", "evidence"))
    assert after == before
    assert set(Resource.objects.values_list("arxiv_status", flat=True)) == {"found"}


@pytest.fixture
def flagged(arxiv):
    """An entry labelled Chinchilla linking to Kaplan, with a member's Done and note on it."""
    curriculum = factories.make_curriculum()
    entry = factories.make_entry(curriculum, "Chinchilla Scaling Laws", resource=_paper(KAPLAN))
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[entry.resource_id], client=client)
    member = factories.make_user()
    factories.make_enrollment(member, curriculum)
    Progress.objects.create(
        user=member, resource_id=entry.resource_id, status="done", updated_at=DAY1
    )
    note = factories.make_note(member, entry, body="Compute-optimal: tokens ~ params.")
    return entry, member, note


@pytest.mark.django_db(transaction=True)
def test_accepting_a_fix_takes_peoples_status_and_notes_along(flagged, admin_user):
    entry, member, note = flagged
    old = entry.resource_id
    new = entry_accept_suggestion(actor=admin_user, entry=entry, arxiv_id="2203.15556")
    assert Progress.objects.get(user=member, resource=new).status == "done"
    assert Note.objects.get(pk=note.pk).resource_id == new.id
    assert not Progress.objects.filter(resource_id=old).exists()
    log = Activity.objects.get(user=member, verb=Activity.Verb.ENTRY_MOVED)
    assert log.detail["follow"] is True and log.detail["by"] == admin_user.pk
    assert log.detail["from_resource"] == old and log.detail["to_resource"] == new.id


@pytest.mark.django_db(transaction=True)
def test_the_admin_can_leave_peoples_work_on_the_old_link(flagged, admin_user):
    entry, member, note = flagged
    old = entry.resource_id
    new = entry_accept_suggestion(
        actor=admin_user, entry=entry, arxiv_id="2203.15556", follow=False
    )
    assert not Progress.objects.filter(resource=new).exists()
    assert Progress.objects.get(user=member, resource_id=old).status == "done"
    assert Note.objects.get(pk=note.pk).resource_id == old
    log = Activity.objects.get(user=member, verb=Activity.Verb.ENTRY_MOVED)
    assert log.detail["follow"] is False


@pytest.mark.django_db(transaction=True)
def test_work_is_copied_when_another_entry_still_lists_the_old_paper(flagged, admin_user):
    entry, member, note = flagged
    old = entry.resource_id
    factories.make_entry(entry.curriculum, "Scaling Laws for Neural LMs", resource_id=old)
    new = entry_accept_suggestion(actor=admin_user, entry=entry, arxiv_id="2203.15556")
    assert Progress.objects.get(user=member, resource_id=old).status == "done"
    assert Progress.objects.get(user=member, resource=new).status == "done"
    assert Note.objects.get(pk=note.pk).resource_id == old
    assert Note.objects.get(user=member, resource=new).body == note.body


@pytest.mark.django_db(transaction=True)
def test_accept_judges_the_candidate_again_on_the_server(flagged, admin_user):
    entry, _, _ = flagged
    check = TitleCheck.objects.get(entry=entry)
    # A forged or stale candidate: offered once, but it is not the paper the label names.
    check.suggestions = [{"arxiv_id": "1812.06162", "title": NOISE.title, "score": 0.9}]
    check.save()
    with pytest.raises(ValueError, match="does not match"):
        entry_accept_suggestion(actor=admin_user, entry=entry, arxiv_id="1812.06162")
    entry.refresh_from_db()
    assert entry.resource.arxiv_id == KAPLAN.arxiv_id


@pytest.mark.django_db(transaction=True)
def test_a_label_that_is_another_papers_title_is_wrong_though_the_abstract_covers_it(arxiv):
    # Kaplan's abstract has "power-law with model size": a fair description of Kaplan, until
    # arXiv shows a paper (made up for this test) whose title the label is.
    curriculum = factories.make_curriculum()
    entry = factories.make_entry(curriculum, "Power Laws of Model Size", resource=_paper(KAPLAN))
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[entry.resource_id], client=client)
    check = TitleCheck.objects.get(entry=entry)
    assert check.status == TitleCheck.Status.DESCRIPTIVE
    assert check.evidence[0].startswith("label words together in the")

    arxiv.records["2999.00001"] = Record(
        "2999.00001", "Power Laws of Model Size", "A paper made up for this test.", ["A. Example"]
    )
    with ArxivClient() as client:
        titles_verify(resource_ids=[entry.resource_id], client=client)
    check = TitleCheck.objects.get(entry=entry)
    assert check.status == TitleCheck.Status.MISMATCH
    assert check.evidence[0].startswith("the label is the title of arXiv:2999.00001")
    assert check.suggestions[0]["arxiv_id"] == "2999.00001"
    # The next run keeps the flag without searching again.
    titles_verify(resource_ids=[entry.resource_id], client=None)
    assert TitleCheck.objects.get(entry=entry).status == TitleCheck.Status.MISMATCH


@pytest.mark.django_db(transaction=True)
def test_requests_reach_arxiv_a_full_interval_apart_even_from_fresh_clients(arxiv, settings):
    settings.READLIST_ARXIV_MIN_INTERVAL = 0.3
    for _ in range(3):
        with ArxivClient() as client:  # each built after the previous request's slot
            client.fetch_ids([KAPLAN.arxiv_id])
    gaps = [b - a for a, b in zip(arxiv.arrivals, arxiv.arrivals[1:], strict=False)]
    assert len(gaps) == 2
    assert min(gaps) >= 0.3


@pytest.mark.parametrize(
    ("label", "page_title", "site", "status"),
    [
        ("Hugging Face TRL Documentation", "TRL - Transformer Reinforcement Learning",
         "huggingface.co", MATCHES),
        ("OpenAI — Learning from Human Preferences", "Learning from human preferences | OpenAI",
         "openai.com", MATCHES),
        ("PyTorch FSDP tutorial", "Getting Started with Fully Sharded Data Parallel (FSDP) — "
         "PyTorch Tutorials 2.5.0 documentation", "pytorch.org", MATCHES),
        ("Let's build GPT from scratch", "Let's build GPT: from scratch, in code, spelled out. - "
         "YouTube", "www.youtube.com", MATCHES),
        ("Chain-of-thought prompting", "Cooking with garlic", "example.org", WRONG),
        ("Andrej Karpathy — Neural Nets: 20 Years", "Deep Neural Nets: 33 years ago and 33 "
         "years from now", "karpathy.github.io", DESCRIPTIVE),
    ],
)  # fmt: skip
def test_pages_site_names_and_docs_words_do_not_count_against_a_label(
    label, page_title, site, status
):
    assert judge(label, Work(page_title), site=site).status == status


def test_a_made_up_name_is_read_from_its_parts():
    resnet = Work(
        "Deep Residual Learning for Image Recognition",
        "We present a residual learning framework to ease the training of networks that are "
        "substantially deeper than those used previously. We evaluate residual nets with a "
        "depth of up to 152 layers.",
        ["Kaiming He", "Xiangyu Zhang"],
        2015,
    )
    verdict = judge("ResNet", resnet)
    assert verdict.status == DESCRIPTIVE
    assert verdict.evidence == ["'ResNet' reads as residual nets in the paper"]
    assert judge("ResNet", work(KAPLAN)).status == WRONG
    assert judge("FlashAttention", work(KAPLAN)).status == WRONG


OPINIONS = Work(
    "Whose Opinions Do Language Models Reflect?",
    "Language models (LMs) are increasingly being used in open-ended contexts, where the "
    "opinions reflected by LMs can shape the views of society at large. Using public opinion "
    "polls, we create OpinionsQA, a dataset for evaluating the alignment of LM opinions with "
    "those of 60 US demographic groups. Our analysis confirms prior observations about the "
    "left-leaning tendencies of some human feedback-tuned LMs.",
    ["Shibani Santurkar", "Esin Durmus"],
    2023,
)
INSTRUCTGPT = Work(
    "Training language models to follow instructions with human feedback",
    "Making language models bigger does not inherently make them better at following a user's "
    "intent. We fine-tune GPT-3 using supervised learning and then reinforcement learning from "
    "human feedback. We call the resulting models InstructGPT.",
    ["Long Ouyang", "Jeff Wu"],
    2022,
)
LLAMA = Work(
    "LLaMA: Open and Efficient Foundation Language Models",
    "We introduce LLaMA, a collection of foundation language models ranging from 7B to 65B "
    "parameters, trained on trillions of tokens from publicly available datasets.",
    ["Hugo Touvron"],
    2023,
)
VAE = Work(
    "Auto-Encoding Variational Bayes",
    "We introduce a stochastic variational inference and learning algorithm that scales to "
    "large datasets. A reparameterization of the variational lower bound yields an estimator "
    "optimized with standard stochastic gradient methods.",
    ["Diederik P Kingma", "Max Welling"],
    2013,
)


@pytest.mark.parametrize(
    ("label", "paper", "because"),
    [
        ("Social Biases of RLHF", OPINIONS, "'RLHF' is a field acronym for reinforcement learning "
         "from human feedback, which the abstract discusses"),
        ("Social Biases of LLMs", OPINIONS, "'LLMs' is a field acronym for large language model, "
         "which the title discusses"),
        ("LLM opinion polls", OPINIONS, "label words also found: opinion, polls"),
        ("The VAE paper", VAE, "'VAE' is a field acronym for variational autoencoder, which the "
         "title discusses"),
        ("VAE reparameterization", VAE, "label words also found: reparameterization"),
    ],
)  # fmt: skip
def test_a_field_acronym_the_paper_discusses_without_defining_it_supports_the_label(
    label, paper, because
):
    verdict = judge(label, paper)
    assert verdict.status == DESCRIPTIVE, verdict.evidence
    assert because in verdict.evidence, verdict.evidence


@pytest.mark.parametrize(
    ("label", "paper", "because"),
    [
        # The paper is about human feedback too, but nothing else of the label is in it.
        ("Social Biases of RLHF", INSTRUCTGPT, "only RLHF of the label found"),
        ("LLM opinion polls", LLAMA, "only LLM of the label found"),
        ("Social Biases of LLMs", LLAMA, "only LLMs of the label found"),
        # A field acronym never makes a label easier to pass than it was without it.
        ("Chinchilla Scaling Laws for LLMs", work(KAPLAN), "only Scaling, Laws, LLMs"),
        # A bare field acronym the abstract only mentions names a field, not this paper.
        ("RLHF", OPINIONS, "a field acronym, which names no one paper"),
        ("The VAE paper", work(KAPLAN), "'VAE' appears nowhere"),
    ],
)
def test_a_label_sharing_only_a_field_acronym_with_the_paper_is_still_wrong(label, paper, because):
    verdict = judge(label, paper)
    assert verdict.status == WRONG
    assert any(because in line for line in verdict.evidence), verdict.evidence


def test_field_acronyms_are_read_from_their_cues_close_together():
    from curricula.verdicts.acronyms import discussed, field_acronym

    assert field_acronym("GANs") == "GAN"
    assert field_acronym("MoE") == "MOE"
    assert field_acronym("Gopher") == ""
    assert discussed("RLHF", "A title", "Some human feedback-tuned LMs.") == "abstract"
    assert discussed("MOE", "A Sparsely-Gated Mixture-of-Experts Layer", "") == "title"
    # The cue's words in one sentence but far apart are not the subject.
    far = "Human raters judged the outputs of many systems and models and we gave feedback."
    assert discussed("RLHF", "A title", far) == ""
    assert discussed("RLHF", "A title", "Human raters were paid. Feedback was slow.") == ""


def test_description_words_meet_the_abstracts_other_forms_of_them():
    from curricula.verdicts.text import same_word

    assert same_word("social", "society")
    assert same_word("societal", "social")
    assert same_word("biases", "leaning")
    assert not same_word("general", "generation")
    assert not same_word("social", "socket")


DAY3 = datetime(2026, 3, 4, 10, tzinfo=UTC)
DAY4 = datetime(2026, 3, 5, 10, tzinfo=UTC)


def _flagged_at(entry) -> datetime | None:
    return TitleCheck.objects.get(entry=entry).flagged_at


@pytest.mark.django_db
def test_a_verify_run_stamps_when_a_flag_starts_keeps_it_and_clears_it_when_fixed():
    page = factories.make_resource("https://example.org/post", kind="blog")
    entry = factories.make_entry(
        factories.make_curriculum(), "Attention Is All You Need", resource=page
    )

    def judged(title: str, day: datetime) -> datetime | None:
        Resource.objects.filter(pk=page.pk).update(page_title=title)
        with time_machine.travel(day, tick=False):
            titles_verify(resource_ids=[page.pk], search=False)
        return _flagged_at(entry)

    assert judged("Ten tips for growing tomatoes", DAY1) == DAY1
    assert judged("Ten tips for growing tomatoes", DAY2) == DAY1  # still the same flag
    assert judged("Attention Is All You Need", DAY3) is None
    assert judged("Ten tips for growing tomatoes", DAY4) == DAY4  # back: news again


@pytest.mark.django_db(transaction=True)
def test_accepting_a_fix_or_ignoring_a_flag_clears_when_it_was_flagged(flagged, admin_user):
    from curricula.verify import entry_ignore_flag

    entry, _, _ = flagged
    assert _flagged_at(entry) is not None
    entry_accept_suggestion(actor=admin_user, entry=entry, arxiv_id="2203.15556")
    assert TitleCheck.objects.get(entry=entry).status != TitleCheck.Status.MISMATCH
    assert _flagged_at(entry) is None

    kaplan = Resource.objects.get(arxiv_id=KAPLAN.arxiv_id)
    other = factories.make_entry(entry.curriculum, "Gradient Noise Scale", resource=kaplan)
    with time_machine.travel(DAY2, tick=False):
        titles_verify(resource_ids=[other.resource_id], search=False)
    assert _flagged_at(other) == DAY2
    entry_ignore_flag(actor=admin_user, entry=other)
    assert TitleCheck.objects.get(entry=other).status == TitleCheck.Status.IGNORED
    assert _flagged_at(other) is None


@pytest.mark.django_db(transaction=True)
def test_a_search_that_shows_a_descriptive_label_is_another_papers_title_stamps_the_flag(arxiv):
    """The verdict that turns to "wrong paper?" after the arXiv search is a write like any other."""
    entry = factories.make_entry(
        factories.make_curriculum(), "Training Compute-Optimal Large Language Models",
        resource=_paper(KAPLAN),
    )  # fmt: skip
    with ArxivClient() as client:
        arxiv_fetch(resource_ids=[entry.resource_id], client=client, verify=False)
        with time_machine.travel(DAY3, tick=False):
            titles_verify(resource_ids=[entry.resource_id], client=client)
    check = TitleCheck.objects.get(entry=entry)
    assert check.status == TitleCheck.Status.MISMATCH
    assert check.flagged_at == DAY3


@pytest.mark.django_db
def test_only_the_verdict_service_stamps_flagged_at_not_a_plain_save():
    from curricula.verdicts.services import title_check_record

    entry = factories.make_entry(factories.make_curriculum(), "GRPO")
    check = TitleCheck.objects.create(entry=entry, status=TitleCheck.Status.MISMATCH)
    assert check.flagged_at is None  # no rule hides in save()
    with time_machine.travel(DAY1, tick=False):
        title_check_record(check, fields=["status"])
    assert TitleCheck.objects.get(pk=check.pk).flagged_at == DAY1
    check.status = TitleCheck.Status.OK
    title_check_record(check, fields=["status"])
    assert TitleCheck.objects.get(pk=check.pk).flagged_at is None


def test_a_co_author_named_alone_does_not_carry_a_label_the_paper_does_not_support():
    """Kaplan co-wrote the gradient-noise paper; 'Kaplan Scaling Laws' is his first-author one."""
    verdict = judge("Kaplan Scaling Laws", work(NOISE))
    assert verdict.status == WRONG
    assert "Kaplan is a co-author, and little else of the label is here" in verdict.evidence
    assert judge("Kaplan Scaling Laws", work(KAPLAN)).status == MATCHES
    # "X et al." names the first author.
    assert "label names Kaplan et al.; the first author is McCandlish" in (
        judge("Kaplan et al.", work(NOISE)).evidence
    )
    assert judge("McCandlish et al.", work(NOISE)).status == DESCRIPTIVE


def test_a_name_with_one_letter_parts_is_read_only_from_words_in_a_row():
    dpo = Work(
        "Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
        "We solve the standard RLHF problem with only a simple classification loss. The "
        "resulting algorithm, which we call Direct Preference Optimization (DPO), is stable.",
        ["Rafael Rafailov"],
        2023,
    )
    lora = Work(
        "Parameter-efficient adaptation",
        "We propose Low-Rank Adaptation, or LoRA, which freezes the pretrained model weights.",
        ["Edward J. Hu"],
        2021,
    )
    assert judge("LoRA", dpo).status == WRONG  # not "loss the resulting algorithm"
    assert judge("LoRA", lora).status == DESCRIPTIVE
