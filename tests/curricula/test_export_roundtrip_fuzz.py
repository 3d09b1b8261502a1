"""Export → import is the identity on random curricula, not only on the lists we have seen.

Each case imports a generated list (tiers, an optional tier, topics in parts), then edits the
stored entries the way an admin or an odd source would leave them — titles full of Markdown
characters, link-less entries with extra links, aliases, dates, tags, notes, excerpts, groups
and roles that their labels do not imply — and asserts the export reads back to the same shape.
Seeded, so a failure names its case and replays.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from curricula.exporter import export_markdown
from curricula.models import Curriculum, Entry
from curricula.services import curriculum_import
from tests.curricula.test_export import shape

pytestmark = pytest.mark.django_db
LEGEND_DATE = dt.date(2025, 11, 26)
WORDS = [
    "attention", "Scaling", "laws", "RLHF", "Q*", "C++", "a_b", "x*y", "[draft]", "<T>",
    "#1", "v2.0", "50%", "don't", "“quoted”", "café", "GPT-4o", "k-NN", "Backprop!", "a|b",
    "`code`", "\\path", "Über", "(sub)", "1.", "-", "3:", "~tilde", "$x$", "e.g.", "&",
]  # fmt: skip
PLAIN = ["Llama", "Mamba", "Gemma", "Phi", "Orca", "Zephyr", "Qwen", "Falcon", "Mistral", "Yi"]
GROUPS = ["DeepSeek", "Core reading", "Practitioner notes", "Bonus", "Advanced", "Meta", "Extras"]


def title(rng: random.Random) -> str:
    words = [rng.choice(PLAIN)] + [rng.choice(WORDS + PLAIN) for _ in range(rng.randint(0, 6))]
    rng.shuffle(words)
    # The importer trims punctuation at a title's edges, so titles begin and end on a name.
    return " ".join([rng.choice(PLAIN), *words, rng.choice(PLAIN)])


def source(rng: random.Random) -> str:
    out = ["# Generated list", "## How to read", "✨ Added after 2025/11/26"]
    n = 0
    for part in range(rng.randint(1, 2)):
        out.append(f"## Part {part} {rng.choice(PLAIN)}")
        for topic in range(rng.randint(1, 3)):
            number = f"{topic + 1}. " if rng.random() < 0.5 else ""
            out.append(f"### {number}Topic {part}-{topic} {rng.choice(PLAIN)}")
            if rng.random() < 0.4:
                out.append(f"About {rng.choice(PLAIN)} and [its site](https://example.org/d{n}).")
            for tier in range(1, rng.randint(2, 4)):
                items = [f"- [{title(rng)}](https://example.org/p{(n := n + 1)})" for _ in "ab"]
                if tier == 3:
                    out += ["<details><summary><strong>Tier 3+</strong></summary>", *items]
                    out.append("</details>")
                else:
                    out += [f"**Tier {tier}**", "\n".join(items)]
    return "\n\n".join(out) + "\n"


def scramble(entry: Entry, rng: random.Random, n: int) -> None:
    """Leave an entry the way an admin edit or an odd source could."""
    entry.title = title(rng)
    if rng.random() < 0.35:
        entry.resource = None
        entry.url_as_written = ""
    if rng.random() < 0.4:
        entry.extra_links = [
            {"label": rng.choice([title(rng), "code", "PyTorch"]), "url": f"https://x.org/{n}/{i}"}
            for i in range(rng.randint(1, 2))
        ]
    if rng.random() < 0.3:
        entry.alias = rng.choice(PLAIN) + rng.choice(["", "-2", " v3"])
    if rng.random() < 0.3:
        entry.date_text = rng.choice(["2023", "Mar 2024", "2017-06", "June 2021"])
    if rng.random() < 0.3:
        entry.tags = rng.sample(["scaling law", "rl", "post-training", "c++"], rng.randint(1, 2))
    if rng.random() < 0.3:
        entry.why = f"Because {rng.choice(WORDS)} and [more](https://why.example/{n}) matter."
    if rng.random() < 0.15:
        entry.todo = True
    if rng.random() < 0.3:
        entry.excerpt = "\n\n".join(title(rng) + "." for _ in range(rng.randint(1, 2)))
    if rng.random() < 0.4:
        entry.group = rng.choice(GROUPS)
    if rng.random() < 0.4:
        entry.role = rng.choice(["", "core", "practitioner", "optional"])
    if rng.random() < 0.3:
        entry.added_on = LEGEND_DATE
    entry.save()


@pytest.mark.parametrize("seed", range(12))
def test_export_then_import_is_the_identity_on_random_curricula(seed):
    rng = random.Random(seed)
    curriculum_import(actor=None, text=source(rng), slug=f"fuzz-{seed}")
    original = Curriculum.objects.get(slug=f"fuzz-{seed}")
    for n, entry in enumerate(original.entries.order_by("position")):
        scramble(entry, rng, n)
    markdown = export_markdown(original)
    curriculum_import(actor=None, text=markdown, slug=f"copy-{seed}")
    copy = Curriculum.objects.get(slug=f"copy-{seed}")
    want, got = shape(original), shape(copy)
    assert got[0] == want[0] and got[1] == want[1]
    for left, right in zip(want[2], got[2], strict=False):
        assert right == left, markdown
    assert len(got[2]) == len(want[2]), markdown
    # The completion rule follows from the roles (rules.infer), compared above; the edits here
    # change roles without recomputing it, as an admin's edit in the entry form would.
    assert got[3][:-1] == want[3][:-1]
