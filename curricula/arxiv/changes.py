"""Papers change after they are listed: withdrawn, superseded by a retitled version, published.

All three are read from metadata already fetched (arXiv's comment, abstract, journal ref, DOI
and version history), so noticing them costs no request. The curator sees them on the
link-health page and in a weekly mail; members see "published as …" on the entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from curricula.models import Resource

_WITHDRAWN = re.compile(r"\b(?:withdrawn|retracted)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PaperChanges:
    withdrawn: str = ""  # arXiv's words, when the comment or abstract says it is withdrawn
    superseded: str = ""  # "v3 is retitled …" when a newer version changed the title
    published_as: str = ""  # the journal or proceedings it appeared in
    doi: str = ""

    def __bool__(self) -> bool:
        return bool(self.withdrawn or self.superseded or self.published_as or self.doi)

    @property
    def kinds(self) -> list[str]:
        return [
            name
            for name, value in (
                ("withdrawn", self.withdrawn),
                ("superseded", self.superseded),
                ("published", self.published_as or self.doi),
            )
            if value
        ]


def paper_changes(resource: Resource) -> PaperChanges:
    if not resource.arxiv_id or resource.arxiv_status != Resource.ArxivStatus.FOUND:
        return PaperChanges()
    withdrawn = ""
    if _WITHDRAWN.search(resource.comment or ""):
        withdrawn = resource.comment.strip()
    elif _WITHDRAWN.search((resource.abstract or "")[:300]):
        withdrawn = resource.abstract.strip()[:300]
    superseded = ""
    if resource.title_before and resource.title_before != resource.title:
        version = f"v{resource.latest_version}" if resource.latest_version else "a newer version"
        superseded = f"{version} is retitled “{resource.title}” (was “{resource.title_before}”)"
    return PaperChanges(
        withdrawn=withdrawn,
        superseded=superseded,
        published_as=(resource.journal_ref or "").strip(),
        doi=(resource.doi or "").strip(),
    )


def changed_papers(*, limit: int = 200, since=None) -> list[tuple[Resource, PaperChanges]]:
    """Listed papers with a change, newest noticed first (one query)."""
    rows = Resource.objects.filter(
        arxiv_status=Resource.ArxivStatus.FOUND, changes_noticed_at__isnull=False
    )
    if since is not None:
        rows = rows.filter(changes_noticed_at__gte=since)
    rows = rows.filter(entries__retired_in__isnull=True).distinct().order_by("-changes_noticed_at")
    found = []
    for resource in rows[:limit]:
        changes = paper_changes(resource)
        if changes:
            found.append((resource, changes))
    return found


def notice_changes(resource: Resource, before: PaperChanges, now) -> None:
    """Stamp when a paper gained a change it did not have (for the weekly mail)."""
    after = paper_changes(resource)
    if set(after.kinds) - set(before.kinds):
        resource.changes_noticed_at = now
        resource.changes_notified_at = None


def paper_changes_digest_send() -> int:
    """Weekly: mail admins the papers that were withdrawn, retitled or published since the
    last mail; each change once (the conditional UPDATE is the claim)."""
    now = timezone.now()
    pending = Q(changes_notified_at__isnull=True) & Q(
        changes_noticed_at__gte=now - timedelta(days=30)
    )
    ids = list(Resource.objects.filter(pending).values_list("id", flat=True)[:500])
    if not ids:
        return 0
    Resource.objects.filter(pending, id__in=ids).update(changes_notified_at=now)
    rows = [
        (resource, paper_changes(resource))
        for resource in Resource.objects.filter(id__in=ids, changes_notified_at=now)
        .prefetch_related("entries__curriculum")
        .order_by("url")
    ]
    rows = [(r, c) for r, c in rows if c]
    recipients = list(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not rows or not recipients:
        return 0
    context = {"rows": rows, "site_url": settings.SITE_URL.rstrip("/")}
    send_mail(
        subject=" ".join(
            render_to_string("curricula/email/paper_changes_subject.txt", context).split()
        ),
        message=render_to_string("curricula/email/paper_changes.txt", context),
        from_email=None,
        recipient_list=recipients,
        html_message=render_to_string("curricula/email/paper_changes.html", context),
    )
    return len(rows)
