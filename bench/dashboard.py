"""Benchmark: the managers' team dashboard against a floor view, at 200 and 1,000 people.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/readlist_managers \
        .venv/bin/python bench/dashboard.py

Builds its own throwaway database ("bench_" + the configured name; see harness.py): 1,000
people with 3 assigned curricula of 500 entries each (one per completion rule), ~500,000
progress rows, notes and activity, in two teams: "research" (200 of them) and "institute"
(all 1,000); times each team's dashboard (and the CSV and one member's page) and a floor view
(login_required and one query) in-process with django.test.Client, interleaved round by round,
prints each page's median as a multiple of the floor's, then drops the database.
Target: the dashboard <= 3x the floor at 200 and at 1,000 people.

The dashboard keeps its figures under the team's BoardVersion (teams.selectors.memo), so the
timed views after the first are what a manager sees of a team while nobody writes to it.
BENCH_COLD=1 times the first view after a write instead: before each dashboard request
(untimed), a member of that team marks an entry (notes.services.progress_set, committed), so
the view reads the log and that person's rows again (teams.kept). BENCH_COLD=all keeps
nothing at all: every view counts the whole team, as the first one after a change of
membership, assignments or names does.
"""

from __future__ import annotations

import datetime as dt
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
from notes.models import (  # noqa: E402
    Activity,
    Enrollment,
    Note,
    Progress,
    ProgressTally,
    WeekTally,
)
from teams.models import Assignment, Membership, Team  # noqa: E402

PEOPLE = 1000
SMALL_TEAM = 200
ENTRIES = 500
RULES = ["core_practitioner_summary", "all_core", "all"]
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


def build() -> dict:
    rng = random.Random(5)
    now = timezone.now()
    today = timezone.localdate()
    User = get_user_model()
    password = make_password("bench-password")
    User.objects.bulk_create(
        User(
            username=f"person{i}",
            first_name=f"Person {i:03d}",
            email=f"person{i}@example.org",
            password=password,
        )
        for i in range(PEOPLE)
    )
    people = list(User.objects.order_by("id"))
    boss = User.objects.create_user("boss", "boss@example.org", "bench-password")
    team = Team.objects.create(name="Research", slug="research")
    big = Team.objects.create(name="Institute", slug="institute")
    Membership.objects.bulk_create(
        [Membership(team=team, user=p) for p in people[:SMALL_TEAM]]
        + [Membership(team=big, user=p) for p in people]
        + [Membership(team=t, user=boss, role=Membership.Role.MANAGER) for t in (team, big)]
    )
    progress: list[Progress] = []
    notes: list[Note] = []
    activity: list[Activity] = []
    enrollments: list[Enrollment] = []
    for n, rule in enumerate(RULES):
        c = Curriculum.objects.create(
            slug=f"bench-{n}", title=f"Bench {n} ({rule})", completion_rule=rule
        )
        tiers = Tier.objects.bulk_create(
            Tier(curriculum=c, number=k, label=f"Tier {k}", position=k, optional=k == 7)
            for k in range(1, 8)
        )
        topics = Topic.objects.bulk_create(
            Topic(curriculum=c, title=f"Topic {k}", tier=tiers[k % 7], position=k)
            for k in range(14)
        )
        resources = Resource.objects.bulk_create(
            Resource(url=f"https://example.org/bench/{n}/{i}", kind="paper") for i in range(ENTRIES)
        )
        entries = Entry.objects.bulk_create(
            Entry(
                curriculum=c,
                tier=topics[i % 14].tier,
                topic=topics[i % 14],
                resource=resources[i] if i % 25 else None,  # some link-less items
                title=f"Entry {i}",
                role=["core", "practitioner", "optional", ""][i % 4],
                position=i,
            )
            for i in range(ENTRIES)
        )
        start = today - dt.timedelta(days=30 + 10 * n)
        for t in (team, big):
            Assignment.objects.create(
                team=t,
                curriculum=c,
                start_date=start,
                due_date=start + dt.timedelta(days=60 + 20 * n),
                assigned_by=boss,
            )
        for p in people:
            enrollments.append(
                Enrollment(
                    user=p,
                    curriculum=c,
                    source="assigned",
                    started_at=now - dt.timedelta(days=30),
                    target_date=start + dt.timedelta(days=60),
                )
            )
            read = rng.sample(entries, int(ENTRIES * rng.uniform(0.05, 0.64)))
            for e in read:
                target = {"resource_id": e.resource_id} if e.resource_id else {"entry_id": e.pk}
                finished = now - dt.timedelta(days=rng.randint(0, 40))
                progress.append(
                    Progress(
                        user=p,
                        status="done",
                        started_at=finished,
                        finished_at=finished,
                        updated_at=finished,
                        **target,
                    )
                )
            for t in rng.sample(tiers, 3):
                notes.append(
                    Note(user=p, kind="tier", tier=t, curriculum=c, body="Summary", updated_at=now)
                )
            for e in read[:5]:
                if e.resource_id:
                    notes.append(
                        Note(
                            user=p,
                            kind="resource",
                            resource_id=e.resource_id,
                            entry=e,
                            curriculum=c,
                            body="What knob this gives me",
                            visibility=rng.choice(["team", "private"]),
                            updated_at=now,
                        )
                    )
            # The log has a line for every status change: one per entry done at least.
            for row in progress[-len(read) :]:
                activity.append(
                    Activity(
                        user=p,
                        verb="status",
                        curriculum=c,
                        resource_id=row.resource_id,
                        entry_id=row.entry_id,
                        to_status="done",
                        created_at=row.finished_at,
                    )
                )
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    Progress.objects.bulk_create(progress, batch_size=5000)
    Note.objects.bulk_create(notes, batch_size=2000)
    Activity.objects.bulk_create(activity, batch_size=5000)
    # bulk_create sends no signals: count the tallies the dashboard reads in one go, as
    # `manage.py tallies` would after a bulk load.
    started = time.perf_counter()
    tallies.refresh()
    recount = time.perf_counter() - started
    return {"boss": boss, "people": people, "recount": recount}


def _writer(url: str):
    """A status click by a random member of the page's team, on an entry of a curriculum
    assigned to it: committed, so the team's version changes before the view."""
    from notes import services

    slug = url.split("/")[2]
    team = Team.objects.get(slug=slug)
    people = list(
        get_user_model().objects.filter(memberships__team=team, memberships__role="member")
    )
    entries = list(Entry.objects.filter(curriculum__assignments__team=team)[:300])
    rng = random.Random(slug)

    def write() -> None:
        person, entry = rng.choice(people), rng.choice(entries)
        target = {"resource_id": entry.resource_id} if entry.resource_id else {"entry": entry}
        now = Progress.objects.filter(user=person, **target).values_list("status", flat=True)
        current = next(iter(now), "to_read")
        status = rng.choice([s for s in ("done", "reading", "to_read") if s != current])
        services.progress_set(actor=person, entry=entry, status=status)

    return write


def main() -> int:
    with throwaway_database() as reuse:
        started = time.perf_counter()
        if reuse:
            User = get_user_model()
            data = {
                "boss": User.objects.get(username="boss"),
                "people": list(User.objects.filter(username__startswith="person").order_by("id")),
            }
        else:
            data = build()
            settle()
        print(
            f"Dataset on {connection.vendor} ({connection.settings_dict['NAME']}): teams of "
            f"{SMALL_TEAM} and {PEOPLE} people × {len(RULES)} curricula of {ENTRIES} entries, "
            f"{Progress.objects.count():,} progress rows, {Note.objects.count():,} notes, "
            f"{Activity.objects.count():,} activity rows, built in "
            f"{time.perf_counter() - started:.1f} s; {REPEAT} timed requests per page."
        )
        if "recount" in data:
            print(
                f"Counting every tally from scratch ({ProgressTally.objects.count():,} "
                f"person × curriculum lines, {WeekTally.objects.count():,} week lines): "
                f"{data['recount'] * 1000:.0f} ms."
            )
        client = Client()
        client.force_login(data["boss"])
        person = data["people"][0]
        pages = [
            (f"dashboard, {SMALL_TEAM} people", "/teams/research/"),
            (f"dashboard, {PEOPLE} people", "/teams/institute/"),
            (f"dashboard, {PEOPLE} people, sorted by progress", "/teams/institute/?sort=-progress"),
            (f"dashboard, {PEOPLE} people, only who is behind", "/teams/institute/?state=behind"),
            (f"dashboard CSV, {SMALL_TEAM} people", "/teams/research/dashboard.csv"),
            ("one member's page", f"/teams/research/people/{person.pk}/"),
            ("one member's CSV", f"/teams/research/people/{person.pk}/detail.csv"),
            ("the team list", "/teams/"),
        ]
        before = {}
        if os.environ.get("BENCH_COLD") == "all":
            from teams import selectors

            selectors.memo.size = 0  # keeps nothing
        elif os.environ.get("BENCH_COLD"):
            before = {label: _writer(url) for label, url in pages[:4]}
        if os.environ.get("BENCH_PROFILE"):
            profile(client, os.environ["BENCH_PROFILE"])
            return 0
        limits = {pages[0][0]: 3.0, pages[1][0]: 3.0}
        return ratios(client, pages, REPEAT, limits=limits, before=before)


if __name__ == "__main__":
    sys.exit(main())
