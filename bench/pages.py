"""Benchmark: the members' pages against a floor view, interleaved, on a realistic dataset.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/readlist_members .venv/bin/python bench/pages.py

Builds its own throwaway database ("bench_" + the configured name on PostgreSQL, in memory on
SQLite): 40 people, curricula of 300, 2,000 and 10,000 entries, ~40% of every entry read by
everyone, notes with versions; then times each page and a floor view (login_required and one
query, bench/floor_urls.py) in-process with django.test.Client, interleaved round by round,
prints each page's median as a multiple of the floor's, and drops the database.
Targets: the curriculum page at every size <= 3x the floor and its first response under
60 kB; home <= 3x; the entry page <= 2x; the search page <= 3x for each of its three
queries.
"""

from __future__ import annotations

import os
import random
import sys
import time

from harness import profile, ratios, settle, setup_django, throwaway_database

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from curricula.models import Curriculum, Entry, Resource, Tier, Topic  # noqa: E402
from notes import tallies  # noqa: E402
from notes.models import Enrollment, Note, NoteVersion, Progress  # noqa: E402

PEOPLE = 40
SIZES = [300, 2000, 10000]
REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))
WORDS = [
    *["attention", "transformer", "scaling", "laws", "tokenizer", "reward", "model"],
    *["preference", "optimisation", "retrieval", "sparse", "mixture", "experts"],
    *["distillation", "quantisation", "benchmark", "evaluation", "agents", "reasoning"],
    *["chain", "thought", "sampling", "temperature", "contrastive", "embedding"],
]
# Abstracts draw mostly on a wide vocabulary, as real ones do, so searches are selective.
VOCABULARY = [f"lexeme{n}" for n in range(5000)]


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def build() -> dict:
    rng = random.Random(42)
    now = timezone.now()
    password = make_password("bench-password")
    User = get_user_model()
    User.objects.bulk_create(
        User(username=f"person{i}", email=f"person{i}@example.org", password=password)
        for i in range(PEOPLE)
    )
    people = list(User.objects.order_by("id"))
    curricula = []
    for size in SIZES:
        c = Curriculum.objects.create(
            slug=f"bench-{size}",
            title=f"Bench {size}",
            reading_order="by_tier",
            completion_rule="core_practitioner_summary",
            guidance="## How to read\n\nTier 1 of every topic first.",
        )
        tiers = Tier.objects.bulk_create(
            Tier(curriculum=c, number=n, label=f"Tier {n}", position=n, optional=n == 5)
            for n in range(1, 6)
        )
        topics = Topic.objects.bulk_create(
            Topic(curriculum=c, title=f"Topic {n} {words(rng, 2)}", position=n) for n in range(12)
        )
        resources = Resource.objects.bulk_create(
            Resource(
                url=f"https://arxiv.org/abs/{size}.{i:05d}",
                kind="paper",
                arxiv_id=f"{size}.{i:05d}",
                title=f"Paper {i} on {words(rng, 4)}",
                authors=[f"Author {rng.randint(1, 500)}" for _ in range(3)],
                abstract=" ".join(rng.choices(VOCABULARY, k=110)) + " " + words(rng, 3),
                published=now,
            )
            for i in range(size)
        )
        roles = ["core", "practitioner", "optional", "core"]
        Entry.objects.bulk_create(
            Entry(
                curriculum=c,
                tier=tiers[i % len(tiers)],
                topic=topics[i % len(topics)],
                resource=resources[i],
                title=f"Entry {i}: {words(rng, 5)}",
                why=words(rng, 15),
                tags=[rng.choice(WORDS)],
                role=roles[i % 4],
                position=i,
            )
            for i in range(size)
        )
        curricula.append(c)
    all_entries = list(
        Entry.objects.order_by("id").values_list("id", "resource_id", "curriculum_id")
    )
    progress, notes = [], []
    for person in people:
        for c in curricula:
            Enrollment.objects.create(user=person, curriculum=c, started_at=now)
        for _entry_id, resource_id, _c in all_entries:
            if rng.random() < 0.4:
                status = rng.choice(["done", "done", "reading", "skipped"])
                progress.append(
                    Progress(user=person, resource_id=resource_id, status=status, updated_at=now)
                )
        for entry_id, resource_id, c_id in rng.sample(all_entries, 20):
            notes.append(
                Note(
                    user=person,
                    kind="resource",
                    resource_id=resource_id,
                    entry_id=entry_id,
                    curriculum_id=c_id,
                    body=f"## Knob\n\n{words(rng, 60)}",
                    visibility=rng.choice(["private", "team"]),
                    version=2,
                    updated_at=now,
                )
            )
        if len(progress) > 20000:
            Progress.objects.bulk_create(progress, batch_size=5000)
            progress = []
    Progress.objects.bulk_create(progress, batch_size=5000)
    notes = Note.objects.bulk_create(notes, batch_size=2000)
    NoteVersion.objects.bulk_create(
        (
            NoteVersion(note=n, number=v, body=n.body, visibility=n.visibility, created_at=now)
            for n in notes
            for v in (1, 2)
        ),
        batch_size=5000,
    )
    # bulk_create sends no signals: count the tallies in one go, as `manage.py tallies` would.
    tallies.refresh()
    return {"people": people, "curricula": curricula}


def main() -> int:
    with throwaway_database() as reuse:
        started = time.perf_counter()
        if reuse:
            User = get_user_model()
            data = {
                "people": list(User.objects.order_by("id")),
                "curricula": list(Curriculum.objects.order_by("id")),
            }
        else:
            data = build()
            settle()
        print(
            f"Dataset on {connection.vendor} ({connection.settings_dict['NAME']}): "
            f"{PEOPLE} people, curricula of {', '.join(map(str, SIZES))} entries, "
            f"{Progress.objects.count():,} progress rows, {Note.objects.count():,} notes, "
            f"built in {time.perf_counter() - started:.1f} s; {REPEAT} timed requests per page."
        )
        person = data["people"][0]
        client = Client()
        client.force_login(person)
        small, large = data["curricula"][0], data["curricula"][-1]
        entry = small.entries.order_by("position").first()
        note = Note.objects.filter(user=person).first()
        pages = [("home (3 curricula, 12,300 entries)", "/")]
        sized = [(f"curriculum, {c.entries.count():,} entries", c) for c in data["curricula"]]
        pages += [(label, f"/curricula/{c.slug}/") for label, c in sized]
        pages += [
            ("curriculum 300, only what remains", f"/curricula/{small.slug}/?remaining=on"),
            (
                f"curriculum {large.entries.count():,}, only what remains",
                f"/curricula/{large.slug}/?remaining=on",
            ),
            ("entry page", f"/curricula/{small.slug}/entries/{entry.pk}/"),
            ("search 'attention scaling'", "/search/?q=attention+scaling"),
            ("search 'Entry 12' (matches every entry)", "/search/?q=Entry+12"),
            ("search 'lexeme1234' (abstracts)", "/search/?q=lexeme1234"),
            ("my notes", "/notes/"),
            ("note history", f"/notes/{note.pk}/history/"),
        ]
        if os.environ.get("BENCH_PROFILE"):
            profile(client, os.environ["BENCH_PROFILE"].replace("SMALL", small.slug))
            return 0
        limits = {label: 3.0 for label, _ in sized}
        limits.update({pages[0][0]: 3.0, "entry page": 2.0})
        limits.update({label: 3.0 for label, _ in pages if label.startswith("search ")})
        return ratios(
            client,
            pages,
            REPEAT,
            limits=limits,
            byte_limits={label: 60_000 for label, _ in sized},
        )


if __name__ == "__main__":
    sys.exit(main())
