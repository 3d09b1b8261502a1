"""Re-importing a revised list: people's statuses and notes stay on the right entry.

Each test imports a small list, gives one reader a different status and a note on every
entry (and a summary note on every tier and topic), imports a revision, and reads back what
the reader is shown, through the same selectors the pages use. Nothing is ever deleted, the
preview counts what the import then does, and applying the old text again brings it all back.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection, connections

from curricula.models import Curriculum, Entry, Resource, Revision, Tier, Topic
from curricula.services import ImportRejected, curriculum_import
from notes import selectors
from notes.models import Note, NoteVersion, Progress, Status
from notes.services import NoteTarget, note_save, progress_set
from tests import factories

pytestmark = pytest.mark.django_db

BASE = """# Probe list

## Tier 1: Foundations

### Attention

- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)
- [The Illustrated Transformer](http://jalammar.github.io/illustrated-transformer/)
- Read the attention chapter of the course notes

### Scaling

- [Scaling Laws for Neural Language Models](https://arxiv.org/abs/2001.08361)
- [Training Compute-Optimal Large Language Models](https://arxiv.org/abs/2203.15556)

## Tier 2: Fine-tuning

### Adapters

- [LoRA: Low-Rank Adaptation of Large Language Models](https://arxiv.org/abs/2106.09685)
- [The Power of Scale for Parameter-Efficient Prompt Tuning](https://arxiv.org/abs/2104.08691)
"""
SLUG = "probe"
STATUSES = [Status.DONE, Status.READING, Status.SKIPPED]
ATTENTION = "Attention Is All You Need"
BLOG = "The Illustrated Transformer"
CHAPTER = "Read the attention chapter of the course notes"
SCALING = "Scaling Laws for Neural Language Models"
CHINCHILLA = "Training Compute-Optimal Large Language Models"
LORA = "LoRA: Low-Rank Adaptation of Large Language Models"
PROMPT = "The Power of Scale for Parameter-Efficient Prompt Tuning"


def entries(slug: str = SLUG) -> dict[str, Entry]:
    found = Entry.objects.active().filter(curriculum__slug=slug).select_related("curriculum")
    return {e.title: e for e in found}


def shown(user, slug: str = SLUG) -> dict[str, tuple[str, str]]:
    """Entry title -> (status, note) as the reader's pages show them."""
    live = list(entries(slug).values())
    maps = selectors.status_maps_for(user, live)
    out = {}
    for entry in live:
        mine, _ = selectors.notes_on_entry(user, entry)
        out[entry.title] = (selectors.status_of(entry, maps), mine.body if mine else "")
    return out


def summaries(user, slug: str = SLUG) -> dict[str, str]:
    """Tier and topic title -> the reader's summary note on it (live rows only)."""
    out = {}
    for note in Note.objects.filter(user=user, kind__in=["tier", "topic"]):
        row = note.tier if note.kind == "tier" else note.topic
        if row.curriculum.slug == slug and row.retired_in_id is None:
            out[row.title] = note.body
    return out


def work_rows() -> tuple[int, int, int]:
    return Progress.objects.count(), Note.objects.count(), NoteVersion.objects.count()


@pytest.fixture
def reader():
    curriculum_import(actor=None, text=BASE, slug=SLUG)
    user = factories.make_user("reader")
    for n, entry in enumerate(entries().values()):
        progress_set(actor=user, entry=entry, status=STATUSES[n % len(STATUSES)])
        factories.make_note(user, entry, body=f"on {entry.title}")
    for tier in Tier.objects.filter(curriculum__slug=SLUG):
        note_save(
            actor=user,
            target=NoteTarget.for_tier(tier),
            body=f"tier {tier.title}",
            visibility="private",
            base_version=0,
        )
    for topic in Topic.objects.filter(curriculum__slug=SLUG):
        note_save(
            actor=user,
            target=NoteTarget.for_topic(topic),
            body=f"topic {topic.title}",
            visibility="private",
            base_version=0,
        )
    return user


def revise(text: str, slug: str = SLUG, **kwargs):
    """Preview, check the preview changed nothing, apply; check nothing was deleted and the
    preview's counts are what the import did."""
    entry_ids = set(Entry.objects.values_list("pk", flat=True))
    rows = work_rows()
    preview = curriculum_import(actor=None, text=text, slug=slug, dry_run=True, **kwargs)
    assert set(Entry.objects.values_list("pk", flat=True)) == entry_ids
    assert work_rows() == rows
    result = curriculum_import(actor=None, text=text, slug=slug, **kwargs)
    assert entry_ids <= set(Entry.objects.values_list("pk", flat=True))  # nothing deleted
    after = work_rows()
    assert all(b >= a for a, b in zip(rows, after, strict=True))  # no work row deleted
    assert preview.changed == result.changed
    assert preview.summary["entries"] == result.summary["entries"]
    assert preview.summary["changes"] == result.summary["changes"]
    return preview, result


def expect(before: dict[str, tuple[str, str]], renames: dict[str, str]) -> dict:
    return {renames.get(title, title): work for title, work in before.items()}


# --- Titles and URLs -------------------------------------------------------------------


@pytest.mark.parametrize(
    "old,new",
    [
        (ATTENTION, "Attention is all you need"),  # case
        (ATTENTION, "Attention Is All You Ned"),  # a typo introduced (or fixed)
        (ATTENTION, "Attention Is All You Need: The Transformer"),  # subtitle
        (CHAPTER, "Read the attention chapter of the course notes (2nd ed.)"),  # link-less
    ],
)
def test_a_reworded_title_keeps_the_work(reader, old, new):
    before = shown(reader)
    _, result = revise(BASE.replace(old, new))
    assert result.summary["entries"]["retired"] == 0
    assert shown(reader) == expect(before, {old: new})


@pytest.mark.parametrize(
    "old,new",
    [
        ("https://arxiv.org/abs/1706.03762", "https://arxiv.org/pdf/1706.03762"),
        ("https://arxiv.org/abs/1706.03762", "https://arxiv.org/pdf/1706.03762v7.pdf"),
        ("https://arxiv.org/abs/1706.03762", "http://arxiv.org/abs/1706.03762/"),
        ("https://arxiv.org/abs/1706.03762", "https://arxiv.org/abs/1706.03762?utm_source=x"),
        (
            "http://jalammar.github.io/illustrated-transformer/",
            "https://jalammar.github.io/illustrated-transformer/",
        ),
        (
            "http://jalammar.github.io/illustrated-transformer/",
            "http://jalammar.github.io/illustrated-transformer",
        ),
        (
            "http://jalammar.github.io/illustrated-transformer/",
            "http://jalammar.github.io/illustrated-transformer/?utm_source=twitter&utm_medium=x",
        ),
    ],
)
def test_a_url_changed_in_form_keeps_the_work(reader, old, new):
    before = shown(reader)
    _, result = revise(BASE.replace(f"({old})", f"({new})"))
    assert result.summary["entries"]["retired"] == 0
    assert shown(reader) == before


def test_a_url_changed_in_form_and_a_title_reworded_at_once_keeps_the_work(reader):
    before = shown(reader)
    text = BASE.replace(
        f"[{BLOG}](http://jalammar.github.io/illustrated-transformer/)",
        "[The Illustrated Transformer (blog post)](https://jalammar.github.io/illustrated-transformer)",
    )
    preview, result = revise(text)
    assert result.summary["entries"]["retired"] == 0
    relinked = preview.summary["changes"]["relinked"]
    assert [(r["title"], r["follows"], r["work"]["people"]) for r in relinked] == [
        ("The Illustrated Transformer (blog post)", True, 1)
    ]
    assert shown(reader) == expect(before, {BLOG: "The Illustrated Transformer (blog post)"})


def test_a_different_paper_under_a_new_title_retires_the_entry_and_keeps_its_work(reader):
    before = shown(reader)
    text = BASE.replace(
        f"[{PROMPT}](https://arxiv.org/abs/2104.08691)",
        "[Prefix-Tuning: Optimizing Continuous Prompts](https://arxiv.org/abs/2101.00190)",
    )
    preview, _ = revise(text)
    retired = preview.summary["changes"]["retired"]
    assert [(r["title"], r["work"]["people"]) for r in retired] == [(PROMPT, 1)]
    now = shown(reader)
    assert now["Prefix-Tuning: Optimizing Continuous Prompts"] == (Status.TO_READ, "")
    del before[PROMPT]
    del now["Prefix-Tuning: Optimizing Continuous Prompts"]
    assert now == before
    # The work stays on the paper they read: re-adding it brings it back.
    revise(BASE)
    assert shown(reader)[PROMPT] != (Status.TO_READ, "")


# --- Places: tiers and topics ----------------------------------------------------------


def test_an_entry_moved_to_another_tier_and_topic_keeps_its_work(reader):
    before = shown(reader)
    line = f"- [{CHINCHILLA}](https://arxiv.org/abs/2203.15556)\n"
    text = BASE.replace(line, "").replace("### Adapters\n\n", "### Adapters\n\n" + line)
    preview, _ = revise(text)
    assert [m["title"] for m in preview.summary["changes"]["moved"]] == [CHINCHILLA]
    assert shown(reader) == before
    assert entries()[CHINCHILLA].topic.title == "Adapters"


def test_renamed_topics_and_tiers_keep_entries_and_summaries(reader):
    before, notes = shown(reader), summaries(reader)
    text = (
        BASE.replace("### Scaling", "### Scaling laws")
        .replace("Tier 1: Foundations", "Tier 1: Foundations of transformers")
        .replace("### Adapters", "### Adapters and prompts")
    )
    preview, _ = revise(text)
    topics = preview.summary["topics"]
    assert (topics["updated"], topics["added"], topics["retired"]) == (2, 0, 0)
    assert preview.summary["changes"]["moved"] == []  # no entry changed place
    assert shown(reader) == before
    renamed = {
        "Scaling": "Scaling laws",
        "Foundations": "Foundations of transformers",
        "Adapters": "Adapters and prompts",
    }
    assert summaries(reader) == {renamed.get(k, k): v for k, v in notes.items()}


def test_reordered_tiers_keep_their_summaries(reader):
    notes = summaries(reader)
    one = BASE[BASE.index("## Tier 1") : BASE.index("## Tier 2")]
    two = BASE[BASE.index("## Tier 2") :]
    text = BASE[: BASE.index("## Tier 1")] + two.replace("Tier 2", "Tier 1") + "\n"
    text += one.replace("Tier 1", "Tier 2")
    before = shown(reader)
    preview, _ = revise(text)
    assert preview.summary["changes"]["moved"] == []  # the tiers moved, not the entries
    assert shown(reader) == before
    assert summaries(reader) == notes
    numbers = dict(Tier.objects.filter(curriculum__slug=SLUG).values_list("title", "number"))
    assert numbers == {"Fine-tuning": 1, "Foundations": 2}
    revise(BASE)
    assert summaries(reader) == notes


def test_a_tier_inserted_above_and_one_dropped_renumber_without_losing_summaries(reader):
    notes, before = summaries(reader), shown(reader)
    # Foundations becomes Tier 2, taking the number Fine-tuning (dropped) had.
    text = BASE[: BASE.index("## Tier 2")].replace("Tier 1: Foundations", "Tier 2: Foundations")
    text = text.replace(
        "## Tier 2: Foundations",
        "## Tier 1: Prerequisites\n\n### Maths\n\n"
        "- [Deep Learning](https://www.deeplearningbook.org/)\n\n## Tier 2: Foundations",
    )
    preview, _ = revise(text)
    assert (preview.summary["tiers"]["added"], preview.summary["tiers"]["retired"]) == (1, 1)
    assert {k: v for k, v in summaries(reader).items() if k != "Adapters"} == {
        k: v for k, v in notes.items() if k not in ("Fine-tuning", "Adapters")
    }
    # And back: Fine-tuning returns with its summary, Prerequisites is retired.
    revise(BASE)
    assert summaries(reader) == notes
    assert shown(reader) == before


def test_a_topic_split_in_two_and_two_merged_keep_the_work(reader):
    before, notes = shown(reader), summaries(reader)
    split = BASE.replace(f"- [{BLOG}]", f"\n### Attention, explained\n\n- [{BLOG}]")
    revise(split)
    assert shown(reader) == before
    assert entries()[BLOG].topic.title == "Attention, explained"
    assert summaries(reader) == notes  # the half that kept the title kept the summary
    merged = BASE.replace("### Scaling\n\n", "")
    preview, _ = revise(merged)
    assert shown(reader) == before
    assert entries()[SCALING].topic.title == "Attention"
    # The absorbed topic is retired (its summary kept, out of sight) and comes back with it.
    assert preview.summary["topics"]["retired"] == 2  # Scaling, and the split's new topic
    assert "Scaling" not in summaries(reader)
    revise(BASE)
    assert summaries(reader) == notes and shown(reader) == before


def test_a_relink_to_another_paper_and_back_loses_nothing(reader):
    """The listed paper replaced by a different one under the same title: the reader's work
    stays with the paper they read (the preview says so), and reverting the list shows it."""
    before = shown(reader)
    Resource.objects.filter(url="https://arxiv.org/abs/2104.08691").update(title=PROMPT)
    other = "https://arxiv.org/abs/2101.00190"
    # The new link's paper is already in the catalogue, its metadata fetched (another list).
    factories.make_resource(
        other, arxiv_id="2101.00190", title="Prefix-Tuning: Optimizing Continuous Prompts"
    )
    preview, _ = revise(BASE.replace("https://arxiv.org/abs/2104.08691", other))
    (item,) = preview.summary["changes"]["relinked"]
    assert (item["title"], item["follows"], item["work"]["people"]) == (PROMPT, False, 1)
    assert shown(reader)[PROMPT] == (Status.TO_READ, "")  # a paper they have not read
    revise(BASE)
    assert shown(reader) == before


def test_a_relink_onto_a_paper_the_reader_has_work_on_keeps_both(reader):
    # Chinchilla's entry relinked to the scaling-laws paper (listed twice now): the reader's
    # own status and note there stay as they are, and Chinchilla's stay on Chinchilla's paper.
    before = shown(reader)
    text = BASE.replace("https://arxiv.org/abs/2203.15556", "https://arxiv.org/abs/2001.08361")
    revise(text)
    now = shown(reader)
    assert now[SCALING] == before[SCALING] and now[CHINCHILLA] == before[SCALING]
    revise(BASE)
    assert shown(reader) == before


# --- Removed, re-added, swapped, duplicated ------------------------------------------------


@pytest.mark.parametrize("title", [SCALING, CHAPTER])
def test_an_entry_removed_then_re_added_gets_its_work_back(reader, title):
    before = shown(reader)
    line = next(line for line in BASE.splitlines() if title in line)
    preview, _ = revise(BASE.replace(line + "\n", ""))
    assert [r["title"] for r in preview.summary["changes"]["retired"]] == [title]
    assert preview.summary["changes"]["retired"][0]["work"]["people"] == 1
    assert title not in shown(reader)
    preview, _ = revise(BASE)
    assert [r["title"] for r in preview.summary["changes"]["revived"]] == [title]
    assert shown(reader) == before


def test_two_entries_swapping_urls_keep_the_work_with_the_paper(reader):
    before = shown(reader)
    a, b = "https://arxiv.org/abs/2001.08361", "https://arxiv.org/abs/2203.15556"
    text = BASE.replace(a, "SWAP").replace(b, a).replace("SWAP", b)
    revise(text)
    now = shown(reader)
    # Work is on the paper: each title now names the other's paper, and shows its work.
    assert now[SCALING] == before[CHINCHILLA] and now[CHINCHILLA] == before[SCALING]
    revise(BASE)
    assert shown(reader) == before


def test_two_entries_swapping_titles_keep_the_work_with_the_paper(reader):
    before = shown(reader)
    text = BASE.replace(SCALING, "SWAP").replace(CHINCHILLA, SCALING).replace("SWAP", CHINCHILLA)
    revise(text)
    now = shown(reader)
    assert now[SCALING] == before[CHINCHILLA] and now[CHINCHILLA] == before[SCALING]
    revise(BASE)
    assert shown(reader) == before


def test_a_url_listed_twice_shows_the_same_work_on_both(reader):
    before = shown(reader)
    text = BASE.replace(
        "### Adapters\n\n",
        "### Adapters\n\n- [Attention (again)](https://arxiv.org/pdf/1706.03762v2)\n",
    )
    _, result = revise(text)
    assert result.summary["entries"]["added"] == 1
    assert shown(reader) == {**before, "Attention (again)": before[ATTENTION]}
    revise(BASE)
    assert shown(reader) == before


def test_a_paper_in_two_curricula_keeps_its_work_when_one_is_revised(reader):
    other = "# Other\n\n## Reading\n\n- [Scaling laws](https://arxiv.org/abs/2001.08361)\n"
    curriculum_import(actor=None, text=other, slug="other")
    in_other = shown(reader, "other")["Scaling laws"]
    assert in_other == shown(reader)[SCALING]
    # Removed from this list, relinked, and re-added: the other list still shows the work.
    revise(BASE.replace(f"- [{SCALING}](https://arxiv.org/abs/2001.08361)\n", ""))
    assert shown(reader, "other")["Scaling laws"] == in_other
    revise(BASE.replace("https://arxiv.org/abs/2001.08361", "https://arxiv.org/abs/2001.99999"))
    assert shown(reader, "other")["Scaling laws"] == in_other
    assert shown(reader)[SCALING] == in_other  # copied, since the other list still has it


# --- Links gained and lost ---------------------------------------------------------------


def test_a_link_less_item_given_a_link_keeps_its_work_and_loses_it_back(reader):
    before = shown(reader)
    text = BASE.replace(f"- {CHAPTER}", f"- [{CHAPTER}](https://example.org/course/attention)")
    preview, result = revise(text)
    assert result.summary["entries"]["retired"] == 0
    assert preview.summary["changes"]["changed"] == [{"title": CHAPTER, "fields": ["link_added"]}]
    assert "link added (people's status and notes go with it)" in preview.report
    assert shown(reader) == before
    preview, _ = revise(BASE)
    assert preview.summary["changes"]["changed"] == [{"title": CHAPTER, "fields": ["link_removed"]}]
    assert shown(reader) == before
    # Its versions came along: the note is the same row, not a copy.
    note = Note.objects.get(user=reader, entry__title=CHAPTER, kind="entry")
    assert note.versions.count() == 1


def test_a_dropped_link_of_a_paper_another_list_has_copies_the_work(reader):
    other = "# Other\n\n## Reading\n\n- [LoRA](https://arxiv.org/abs/2106.09685)\n"
    curriculum_import(actor=None, text=other, slug="other")
    before = shown(reader)
    revise(BASE.replace(f"[{LORA}](https://arxiv.org/abs/2106.09685)", LORA))
    assert shown(reader) == before
    assert shown(reader, "other")["LoRA"] == before[LORA]  # still there too


# --- Refused, repeated and concurrent imports ------------------------------------------------


@pytest.mark.parametrize(
    "text,says",
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("# Probe list\n\nNothing here any more.\n", "no links found"),
        ("<html><body><p>404 Not Found</p></body></html>", "no links found"),
    ],
)
def test_an_empty_or_garbage_revision_is_refused_and_changes_nothing(reader, text, says):
    before, notes = shown(reader), summaries(reader)
    revisions = Revision.objects.count()
    with pytest.raises(ImportRejected) as refused:
        curriculum_import(actor=None, text=text, slug=SLUG)
    assert says in refused.value.message
    assert Revision.objects.count() == revisions
    assert shown(reader) == before and summaries(reader) == notes


def test_the_same_file_twice_is_a_no_op(reader):
    text = BASE.replace(ATTENTION, "Attention is all you need")
    revise(text)
    revisions = Revision.objects.count()
    stamps = dict(Entry.objects.values_list("pk", "updated_at"))
    preview, result = revise(text)
    assert not preview.changed and not result.changed and result.revision is None
    assert Revision.objects.count() == revisions
    assert dict(Entry.objects.values_list("pk", "updated_at")) == stamps


@pytest.mark.django_db(transaction=True)
def test_two_admins_applying_revisions_at_once_one_wins_cleanly(reader):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    texts = [
        BASE.replace(ATTENTION, "Attention is all you need"),
        BASE.replace(f"- [{PROMPT}](https://arxiv.org/abs/2104.08691)\n", ""),
    ]
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(n: int) -> None:
        try:
            barrier.wait()
            outcomes[n] = curriculum_import(
                actor=None, text=texts[n], slug=SLUG, expected_revision=1
            )
        except ImportRejected as exc:
            outcomes[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    applied = [r for r in outcomes if not isinstance(r, Exception)]
    refused = [r for r in outcomes if isinstance(r, ImportRejected)]
    # Both were previewed against r1: the second would not do what its preview said.
    assert len(applied) == 1 and len(refused) == 1
    assert applied[0].revision.number == 2
    assert re.search(r"changed since this preview|same time", refused[0].message)
    curriculum = Curriculum.objects.get(slug=SLUG)
    assert sorted(curriculum.revisions.values_list("number", flat=True)) == [1, 2]


def test_a_text_that_retires_most_of_the_list_is_flagged_in_the_preview(reader):
    """A truncated upload, or another list's file under this slug, parses fine: the preview
    says it retires most of the list before anyone confirms."""
    truncated = BASE[: BASE.index("### Scaling")]
    preview = curriculum_import(actor=None, text=truncated, slug=SLUG, dry_run=True)
    assert preview.summary["entries"]["retired"] == 4
    (warning,) = [w for w in preview.warnings if "retires" in w]
    assert "retires 4 of the 7 entries" in warning and "keeps 3" in warning
    assert f"Warning: {warning}" in preview.report
    # An ordinary revision, one entry dropped, says nothing of the kind.
    ordinary = BASE.replace(f"- [{PROMPT}](https://arxiv.org/abs/2104.08691)\n", "")
    result = curriculum_import(actor=None, text=ordinary, slug=SLUG)
    assert result.summary["entries"]["retired"] == 1
    assert not [w for w in result.warnings if "retires" in w]
