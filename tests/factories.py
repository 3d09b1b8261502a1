"""Test data builders, in one place."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from curricula.canonical import canonicalize, guess_kind
from curricula.models import Curriculum, Entry, Resource, Tier, Topic

_seq = itertools.count(1)


def make_user(username: str | None = None, **fields):
    n = next(_seq)
    username = username or f"user{n}"
    fields.setdefault("email", f"{username}@example.com")
    password = fields.pop("password", "correct horse battery staple")
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def make_curriculum(**fields) -> Curriculum:
    n = next(_seq)
    fields.setdefault("slug", f"curriculum-{n}")
    fields.setdefault("title", f"Curriculum {n}")
    return Curriculum.objects.create(**fields)


def make_resource(url: str | None = None, **fields) -> Resource:
    url = url or f"https://example.org/read/{next(_seq)}"
    canonical = canonicalize(url)
    fields.setdefault("kind", guess_kind(canonical))
    fields.setdefault("arxiv_id", canonical.arxiv_id)
    return Resource.objects.create(url=canonical.url, **fields)


def make_tier(curriculum: Curriculum, number: int = 1, **fields) -> Tier:
    fields.setdefault("label", f"Tier {number}")
    fields.setdefault("position", number)
    return Tier.objects.create(curriculum=curriculum, number=number, **fields)


def make_topic(curriculum: Curriculum, title: str = "Topic", **fields) -> Topic:
    return Topic.objects.create(curriculum=curriculum, title=title, **fields)


def make_entry(curriculum: Curriculum, title: str | None = None, **fields) -> Entry:
    n = next(_seq)
    if "resource" not in fields:
        fields["resource"] = make_resource()
    fields.setdefault("position", n)
    return Entry.objects.create(curriculum=curriculum, title=title or f"Entry {n}", **fields)


def make_curriculum_with_entries(count: int, *, tiers: int = 3, **fields) -> Curriculum:
    """A curriculum with `count` entries spread over tiers and topics, built in bulk."""
    curriculum = make_curriculum(**fields)
    tier_objs = [make_tier(curriculum, i + 1) for i in range(tiers)]
    topic_objs = [
        make_topic(curriculum, f"Topic {i + 1}", tier=tier_objs[i % tiers], position=i)
        for i in range(max(1, tiers * 2))
    ]
    base = next(_seq)
    resources = Resource.objects.bulk_create(
        [Resource(url=f"https://example.org/bulk/{base}/{i}", kind="blog") for i in range(count)]
    )
    roles = ["core", "practitioner", "optional"]
    Entry.objects.bulk_create(
        [
            Entry(
                curriculum=curriculum,
                tier=topic_objs[i % len(topic_objs)].tier,
                topic=topic_objs[i % len(topic_objs)],
                resource=resources[i],
                title=f"Bulk entry {i}",
                role=roles[i % 3],
                position=i,
            )
            for i in range(count)
        ]
    )
    return curriculum


# --- Members: enrollments, progress, notes (issue 3) -------------------------------


def make_enrollment(user, curriculum: Curriculum, **fields):
    from django.utils import timezone

    from notes.models import Enrollment

    fields.setdefault("started_at", timezone.now())
    return Enrollment.objects.create(user=user, curriculum=curriculum, **fields)


def make_note(user, entry: Entry, body: str = "My note", **fields):
    """A note on an entry's resource (or the entry, when link-less), with its first version."""
    from notes.services import NoteTarget, note_save

    note, _ = note_save(
        actor=user,
        target=NoteTarget.for_entry(entry),
        body=body,
        visibility=fields.pop("visibility", "private"),
        base_version=0,
    )
    return note


# --- Teams (issue 5) -----------------------------------------------------------------


def make_team(*members, managers=(), name: str | None = None, **fields):
    """A team with these members (role member) and managers; team notes are shared within it."""
    from teams.models import Membership, Team

    n = next(_seq)
    team = Team.objects.create(name=name or f"Team {n}", slug=fields.pop("slug", f"team-{n}"))
    Membership.objects.bulk_create(
        [Membership(team=team, user=u, role="member") for u in members]
        + [Membership(team=team, user=u, role="manager") for u in managers]
    )
    return team
