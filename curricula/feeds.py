"""An Atom feed per curriculum: each revision's changes (entries added, retired, relinked), so
people can follow a list without an account. The catalogue is not private; nobody's reading
or notes appear here."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from curricula.models import Curriculum, Entry, Revision

MAX_REVISIONS = 50
# Per revision and kind of change: a first import adds hundreds of entries.
MAX_LISTED = 200


def _key(title: str) -> str:
    return " ".join(title.casefold().split())


def _changes(
    added: list[tuple[str, str]], retired: list[tuple[str, str]], summary: Any
) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """(added titles, retired titles, relinks) of one revision. The importer now keeps an
    entry whose link changed under the same title and lists it in the revision's summary;
    revisions imported before that show it as one entry retired and one added, which the
    feed pairs into the relink a reader would call it."""
    gone = {}
    for title, url in retired:
        gone.setdefault(_key(title), (title, url))
    relinked = []
    kept_added = []
    for title, url in added:
        old = gone.pop(_key(title), None)
        if old is not None and old[1] != url:
            relinked.append({"title": title, "from": old[1], "to": url})
        elif old is not None:
            gone[_key(title)] = old
            kept_added.append(title)
        else:
            kept_added.append(title)
    moved = {_key(r["title"]) for r in relinked}
    kept_retired = [title for title, _ in retired if _key(title) not in moved]
    listed = summary.get("relinked") if isinstance(summary, dict) else None
    for change in listed if isinstance(listed, list) else []:
        if isinstance(change, dict):
            relinked.append({k: str(change.get(k) or "") for k in ("title", "from", "to")})
    return kept_added, kept_retired, relinked


def read_changes(revisions: list[Revision]) -> None:
    """Sets `added`, `retired` and `relinked` (as _changes reads them) on each revision, and
    `retired_entries` ((pk, resource id, title) of the entries it retired, relinks left out):
    one query for every revision's entries, not one per revision. The feed and the members'
    "changed since your last visit" (notes.selectors.unseen_changes) both read them here."""
    ids = {r.pk for r in revisions}
    added: dict[int, list[tuple[str, str]]] = defaultdict(list)
    retired: dict[int, list[tuple[str, str]]] = defaultdict(list)
    gone_rows: dict[int, list[tuple[int, int | None, str]]] = defaultdict(list)
    rows = (
        Entry.objects.filter(Q(introduced_in_id__in=ids) | Q(retired_in_id__in=ids))
        .order_by("position", "pk")
        .values_list(
            "pk", "title", "resource_id", "resource__url", "introduced_in_id", "retired_in_id"
        )
        if ids
        else []
    )
    for pk, title, resource_id, url, introduced, gone in rows:
        if introduced in ids:
            added[introduced].append((title, url or ""))
        if gone in ids:
            retired[gone].append((title, url or ""))
            gone_rows[gone].append((pk, resource_id, title))
    for r in revisions:
        r.added, r.retired, r.relinked = _changes(
            added.get(r.pk, []), retired.get(r.pk, []), r.summary
        )
        kept = {_key(t) for t in r.retired}
        r.retired_entries = [row for row in gone_rows.get(r.pk, []) if _key(row[2]) in kept]


class RevisionFeed(Feed):
    feed_type = Atom1Feed
    description_template = "curricula/feed_revision.html"

    def get_object(self, request: HttpRequest, slug: str) -> Curriculum:
        fields = ("pk", "slug", "title", "description")
        return get_object_or_404(Curriculum.objects.only(*fields), slug=slug)

    def title(self, obj: Curriculum) -> str:
        return f"Readlist: {obj.title}"

    def subtitle(self, obj: Curriculum) -> str:
        return obj.description or f"Changes to the reading list {obj.title}"

    def link(self, obj: Curriculum) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Curriculum) -> list[Revision]:
        revisions = list(
            Revision.objects.filter(curriculum=obj)
            .defer("source_text", "summary_text")
            .order_by("-number")[:MAX_REVISIONS]
        )
        for r in revisions:
            r.curriculum = obj
        read_changes(revisions)
        return revisions

    def item_title(self, item: Revision) -> str:
        return (
            f"Revision {item.number}: {len(item.added)} added, {len(item.retired)} retired, "
            f"{len(item.relinked)} relinked"
        )

    def item_link(self, item: Revision) -> str:
        return f"{item.curriculum.get_absolute_url()}#revision-{item.number}"

    def item_guid(self, item: Revision) -> str:
        return f"readlist:{item.curriculum.slug}:revision:{item.number}:{item.sha256[:16]}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Revision) -> Any:
        return item.created_at

    def item_updateddate(self, item: Revision) -> Any:
        return item.created_at

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item = kwargs["item"]
        context.update(
            added=item.added[:MAX_LISTED],
            retired=item.retired[:MAX_LISTED],
            relinked=item.relinked[:MAX_LISTED],
            more_added=max(0, len(item.added) - MAX_LISTED),
            more_retired=max(0, len(item.retired) - MAX_LISTED),
        )
        return context
