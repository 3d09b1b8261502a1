"""Writes to the catalogue: importing a Markdown reading list as a new revision of a curriculum."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from curricula import hooks
from curricula.canonical import guess_kind
from curricula.importer import ParseError, parse_markdown
from curricula.importer.bulk import NUMERIC, insert_rows, set_numbers
from curricula.importer.bundle import BundleError, read_folder, read_zip
from curricula.importer.plan import (
    TIER_FIELDS,
    TOPIC_FIELDS,
    ImportPlan,
    build_plan,
    different_work,
    query_chunk,
    relinked,
)
from curricula.importer.report import render, retirement_warning, summarise
from curricula.linkhealth.services import resources_created
from curricula.models import Curriculum, Entry, Resource, Revision, Tier, Topic
from curricula.signals import entries_changed

BATCH = 500


class ImportRejected(Exception):
    """The text cannot be imported; `message` says why in words a curator can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportResult:
    report: str
    changed: bool
    revision: Revision | None
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    curriculum: Curriculum | None = None
    dry_run: bool = False
    sha256: str = ""
    # The latest revision the import was planned against (0: a new curriculum): an apply that
    # passes it back as `expected_revision` is refused if another import landed since.
    base_revision: int = 0


def read_bundle(*, zip_data: bytes | None = None, folder: Path | None = None) -> str:
    """A list over several Markdown files (a .zip, or a folder on the command line) as one
    text: the entry file, then each file it links to as a section of its own."""
    limit = settings.READLIST_IMPORT_MAX_BYTES
    try:
        if folder is not None:
            text, _ = read_folder(folder, max_bytes=limit)
        else:
            text, _ = read_zip(zip_data or b"", max_bytes=limit)
    except BundleError as exc:
        raise ImportRejected(f"Nothing was imported: {exc}.") from None
    return read_source(text)


def read_source(data: str | bytes) -> str:
    """The import text as str, or ImportRejected: empty, binary, not UTF-8, too large."""
    limit = settings.READLIST_IMPORT_MAX_BYTES
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > limit:
        raise ImportRejected(
            f"The file is {len(raw):,} bytes; the import limit is {limit:,} bytes "
            "(READLIST_IMPORT_MAX_BYTES)."
        )
    if b"\x00" in raw:
        raise ImportRejected("The file looks binary (it contains NUL bytes), not Markdown text.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            f"The file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start} "
            "cannot be decoded). Save it as UTF-8 and try again."
        ) from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise ImportRejected("The file looks binary (it is full of control characters).")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportRejected("The file is empty.")
    return text


def curriculum_import(
    *,
    actor: Any,
    text: str | bytes,
    slug: str,
    title: str | None = None,
    source_name: str = "",
    dry_run: bool = False,
    keep_work: Collection[str] = (),
    follow_work: Collection[str] = (),
    expected_revision: int | None = None,
) -> ImportResult:
    """Import a Markdown reading list into curriculum `slug` as a new revision (if it changed).

    Entries are matched to the stored ones by resource (then title), updated in place, and
    those the text no longer lists are retired, never deleted: nobody's progress is lost.
    A relinked entry (same title, new link) takes people's status and notes along, except
    for the old URLs named in `keep_work` ("*": all of them), where the admin said the new
    link is a different work. When the new link is another paper under a dissimilar title
    (plan.different_work) their work stays unless its old URL is in `follow_work` ("*": all).
    """
    if actor is not None and not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only staff can import curricula.")
    try:
        validate_slug(slug)
    except ValidationError:
        raise ImportRejected(
            f"“{slug}” is not a valid curriculum slug (letters, digits, - and _ only)."
        ) from None
    if len(slug) > 50:
        raise ImportRejected("A curriculum slug is at most 50 characters.")
    source = read_source(text)
    try:
        parsed = parse_markdown(source)
    except ParseError as exc:
        raise ImportRejected(f"Nothing was imported: {exc}.") from None
    if parsed.refused:
        links = "; ".join(f"line {r.line}: {r.url}" for r in parsed.refused[:10])
        raise ImportRejected(
            f"Nothing was imported: {len(parsed.refused)} dangerous link(s) refused "
            f"(javascript:, data:, vbscript: and file: links are never stored) — {links}."
        )
    sha = hashlib.sha256(source.encode("utf-8")).hexdigest()
    name = source_name or "text"

    if dry_run:
        plan = build_plan(parsed, slug=slug, title=title)
        _warn_retirement(plan)
        number = _next_number(plan.curriculum)
        summary = summarise(plan)
        if plan.changed:
            headline = (
                f"Dry run — nothing was changed. Importing {name} into “{slug}” "
                f"would create revision r{number}."
            )
        else:
            headline = f"Dry run — nothing was changed. “{slug}” already matches {name}."
        return ImportResult(
            report=render(plan, summary, headline=headline),
            changed=plan.changed,
            revision=None,
            warnings=list(parsed.warnings),
            summary=summary,
            curriculum=plan.curriculum,
            dry_run=True,
            sha256=sha,
            base_revision=number - 1,
        )

    try:
        with transaction.atomic():
            # Two imports into one curriculum at once would race for the revision number.
            Curriculum.objects.select_for_update().filter(slug=slug).first()
            plan = build_plan(parsed, slug=slug, title=title)
            _warn_retirement(plan)
            latest = _next_number(plan.curriculum) - 1
            summary = summarise(plan)
            if not plan.changed:
                headline = f"No changes: “{slug}” already matches {name}; no revision made."
                return ImportResult(
                    report=render(plan, summary, headline=headline),
                    changed=False,
                    revision=None,
                    warnings=list(parsed.warnings),
                    summary=summary,
                    curriculum=plan.curriculum,
                    sha256=sha,
                    base_revision=latest,
                )
            # A preview made before another import landed no longer says what this would do.
            if expected_revision is not None and latest != expected_revision:
                raise ImportRejected(
                    f"Nothing was imported: “{slug}” changed since this preview (it is now at "
                    f"revision r{latest}, the preview was made against "
                    f"{f'r{expected_revision}' if expected_revision else 'no revision'}). "
                    "Preview the file again to see what it would change now."
                )
            number = latest + 1
            headline = f"Imported {name} into “{slug}”: revision r{number}."
            report = render(plan, summary, headline=headline)
            revision = _apply(
                plan,
                actor=actor,
                number=number,
                source=source,
                sha=sha,
                source_name=source_name,
                summary=summary,
                report=report,
                keep_work=set(keep_work),
                follow_work=set(follow_work),
            )
    except IntegrityError as exc:
        raise ImportRejected(
            f"Nothing was imported: another change to “{slug}” happened at the same time "
            f"({exc.__class__.__name__}). Try again."
        ) from None
    return ImportResult(
        report=report,
        changed=True,
        revision=revision,
        warnings=list(parsed.warnings),
        summary=summary,
        curriculum=revision.curriculum,
        sha256=sha,
        base_revision=number - 1,
    )


def _warn_retirement(plan: ImportPlan) -> None:
    warning = retirement_warning(plan)
    if warning:
        plan.parsed.warnings.append(warning)


def _next_number(curriculum: Curriculum | None) -> int:
    if curriculum is None:
        return 1
    latest = curriculum.revisions.aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def _apply(
    plan: ImportPlan,
    *,
    actor: Any,
    number: int,
    source: str,
    sha: str,
    source_name: str,
    summary: dict[str, Any],
    report: str,
    keep_work: set[str] | None = None,
    follow_work: set[str] | None = None,
) -> Revision:
    keep_work = keep_work or set()
    follow_work = follow_work or set()
    old_urls: dict[int, str] = {}
    other_work: set[int] = set()  # relinked to what may be another paper: work stays by default
    for planned, old, _ in relinked(plan):
        if planned.stored is not None:
            old_urls[planned.stored.pk] = old
            if different_work(plan, planned):
                other_work.add(planned.stored.pk)
    values = plan.curriculum_values
    curriculum = plan.curriculum
    if curriculum is None:
        curriculum = Curriculum.objects.create(slug=plan.slug, **values)
    elif plan.curriculum_changed:
        for name in plan.curriculum_changed:
            setattr(curriculum, name, values[name])
        curriculum.save(update_fields=[*plan.curriculum_changed, "updated_at"])
    revision = Revision.objects.create(
        curriculum=curriculum,
        number=number,
        created_by=actor if getattr(actor, "pk", None) else None,
        source_name=source_name[:255],
        sha256=sha,
        source_text=source,
        summary=summary,
        summary_text=report,
    )
    resource_ids = _resources(plan)

    tiers: dict[int, Tier] = {}
    new_tiers, changed_tiers = [], []
    for planned_tier in plan.tiers:
        tier = planned_tier.stored or Tier(curriculum=curriculum, number=planned_tier.parsed.number)
        for name, value in planned_tier.values.items():
            setattr(tier, name, value)
        tier.retired_in = None
        if planned_tier.stored is None:
            new_tiers.append(tier)
        elif planned_tier.changed or planned_tier.revived:
            changed_tiers.append(tier)
        tiers[planned_tier.parsed.number] = tier
    _free_tier_numbers(curriculum, plan)
    _create(Tier, new_tiers)
    Tier.objects.bulk_update(changed_tiers, [*TIER_FIELDS, "retired_in"], batch_size=BATCH)
    _retire(Tier, [t.pk for t in plan.retired_tiers], revision)

    topics: list[Topic] = []
    new_topics, changed_topics = [], []
    for planned_topic in plan.topics:
        topic = planned_topic.stored or Topic(curriculum=curriculum)
        for name, value in planned_topic.values.items():
            setattr(topic, name, value)
        topic.tier = tiers.get(planned_topic.parsed.tier) if planned_topic.parsed.tier else None
        topic.retired_in = None
        if planned_topic.stored is None:
            new_topics.append(topic)
        elif planned_topic.changed or planned_topic.revived:
            changed_topics.append(topic)
        topics.append(topic)
    _create(Topic, new_topics)
    Topic.objects.bulk_update(
        changed_topics, [*TOPIC_FIELDS, "tier", "retired_in"], batch_size=BATCH
    )
    _retire(Topic, [t.pk for t in plan.retired_topics], revision)

    now = timezone.now()
    new_rows: list[dict[str, Any]] = []
    # Rows to update, grouped by the fields that changed: a list that only moved rewrites
    # positions, not every column of every row.
    changed: dict[tuple[str, ...], list[Entry]] = defaultdict(list)
    touched: list[int] = []
    revived: list[int] = []
    # Relinked, or a link gained or lost (None): entry, old resource, new resource.
    moved: list[tuple[Entry, int | None, int | None]] = []
    for planned in plan.entries:
        parsed = planned.parsed
        if planned.stored is not None and not (planned.changed or planned.revived):
            continue
        fields = dict(planned.values)
        url = fields.pop("resource_url")
        fields["resource_id"] = resource_ids.get(url) if url else None
        entry_tier = tiers.get(parsed.tier) if parsed.tier is not None else None
        entry_topic = topics[parsed.topic] if parsed.topic is not None else None
        fields["tier_id"] = entry_tier.pk if entry_tier else None
        fields["topic_id"] = entry_topic.pk if entry_topic else None
        entry = planned.stored
        if entry is None:
            new_rows.append(
                {
                    **fields,
                    "curriculum_id": curriculum.pk,
                    "introduced_in_id": revision.pk,
                    "updated_at": now,
                }
            )
            continue
        old_resource_id = entry.resource_id
        for name, value in fields.items():
            setattr(entry, name, value)
        if old_resource_id != entry.resource_id:
            moved.append((entry, old_resource_id, entry.resource_id))
        touched.append(entry.pk)
        if planned.revived:
            revived.append(entry.pk)
        if planned.changed:
            changed[tuple(sorted(set(planned.changed)))].append(entry)
    insert_rows(Entry, new_rows)
    for names, rows in changed.items():
        if set(names) <= NUMERIC:
            set_numbers(Entry, list(names), rows)
        else:
            Entry.objects.bulk_update(rows, list(names), batch_size=BATCH)
    _set(Entry, revived, retired_in=None)
    _set(Entry, touched, updated_at=now)
    _retire(Entry, [e.pk for e in plan.retired_entries], revision)
    for entry, old_id, new_id in moved:
        # A relinked entry (same title, fixed link): people's status and notes follow it,
        # unless the admin said the new link is another work.
        # A link gained or lost is the same item: work on it always follows (kept on the
        # entry while it has no link, on its resource once it has one).
        old_url = old_urls.get(entry.pk)
        stays = bool(old_id and new_id) and ("*" in keep_work or old_url in keep_work)
        if entry.pk in other_work and not ("*" in follow_work or old_url in follow_work):
            stays = True
        hooks.entry_moved(
            actor=actor,
            entry=entry,
            old_resource_id=old_id,
            new_resource_id=new_id,
            follow=not stays,
        )
    # None of the above sends post_save; what is derived from entries is recounted here, in
    # the import's transaction.
    entries_changed.send(sender=Entry, curriculum_ids=[curriculum.pk])
    return revision


def _resources(plan: ImportPlan) -> dict[str, int]:
    """Canonical URL -> resource id for every link, creating the new resources in bulk."""
    ids = {url: resource.pk for url, resource in plan.existing_resources.items()}
    new_urls = set(plan.new_resource_urls)
    if not new_urls:
        return ids
    seen: set[str] = set()
    rows = []
    for canonical in plan.canonical.values():
        if canonical.url in new_urls and canonical.url not in seen:
            seen.add(canonical.url)
            rows.append(
                {
                    "url": canonical.url,
                    "kind": guess_kind(canonical),
                    "arxiv_id": canonical.arxiv_id,
                    "arxiv_version": canonical.arxiv_version,
                    "doi": canonical.doi,
                    "arxiv_status": (
                        Resource.ArxivStatus.PENDING
                        if canonical.arxiv_id
                        else Resource.ArxivStatus.NOT_ARXIV
                    ),
                }
            )
    # Another import creating the same resource meanwhile fails this one on the unique URL
    # (reported as "try again"); the transaction keeps the catalogue whole either way.
    insert_rows(Resource, rows)
    urls = sorted(new_urls)
    size = query_chunk()
    for start in range(0, len(urls), size):
        ids.update(
            Resource.objects.filter(url__in=urls[start : start + size]).values_list("url", "pk")
        )
    # New resources are checked and their arXiv metadata fetched once this import commits.
    resources_created(ids[url] for url in urls if url in ids)
    return ids


def _free_tier_numbers(curriculum: Curriculum, plan: ImportPlan) -> None:
    """A tier's number is unique in its curriculum: before tiers take their new numbers, move
    the rows whose number changes (a tier renumbered, two swapped) and any unmatched tier
    holding a number now wanted above every number in use."""
    becomes = {p.stored.pk: p.parsed.number for p in plan.tiers if p.stored is not None}
    wanted = {p.parsed.number for p in plan.tiers}
    numbers = dict(Tier.objects.filter(curriculum=curriculum).values_list("pk", "number"))
    moving = [
        pk
        for pk, number in sorted(numbers.items())
        if becomes.get(pk, number) != number or (pk not in becomes and number in wanted)
    ]
    top = max([*numbers.values(), *wanted], default=0)
    for offset, pk in enumerate(moving, start=1):
        Tier.objects.filter(pk=pk).update(number=top + offset)


def _create(model: Any, objs: list[Any]) -> None:
    """Create rows whose ids entries will point at (tiers, topics)."""
    if connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(objs, batch_size=BATCH)
    else:  # an SQLite older than 3.35 cannot say which ids a bulk insert made
        for obj in objs:
            obj.save()


def _retire(model: Any, pks: list[int], revision: Revision) -> None:
    _set(model, pks, retired_in=revision)


def _set(model: Any, pks: list[int], **values: Any) -> None:
    size = query_chunk()
    for start in range(0, len(pks), size):
        model.objects.filter(pk__in=pks[start : start + size]).update(**values)
