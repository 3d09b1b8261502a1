"""Link-health reads: what is due for a check, whether the checker is offline, dashboard figures."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from curricula.models import CheckRun, Entry, LinkCheck, Resource


def in_use(qs: QuerySet[Resource]) -> QuerySet[Resource]:
    """Resources some live entry still lists (or no entry at all yet): one whose every entry is
    retired is history, neither worth a request nor news when it breaks."""
    listed = Exists(Entry.objects.filter(resource=OuterRef("pk")))
    live = Exists(Entry.objects.filter(resource=OuterRef("pk"), retired_in__isnull=True))
    return qs.filter(Q(live) | ~Q(listed))


def resources_due(
    *, limit: int, curriculum: str | None = None, everything: bool = False
) -> list[int]:
    """Ids of resources whose check is due, stalest first (never-checked before all others);
    retired-only resources are left out."""
    now = timezone.now()
    qs = in_use(Resource.objects.all())
    if curriculum:
        qs = qs.filter(entries__curriculum__slug=curriculum).distinct()
    if not everything:
        qs = qs.filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=now))
    qs = qs.filter(Q(check_claimed_until__isnull=True) | Q(check_claimed_until__lt=now))
    ordered = qs.order_by(F("last_checked_at").asc(nulls_first=True), "id")
    return list(ordered.values_list("id", flat=True)[:limit])


def arxiv_due(*, limit: int, curriculum: str | None = None, everything: bool = False) -> list[int]:
    """arXiv resources never fetched, or fetched more than a week ago, oldest first."""
    now = timezone.now()
    qs = Resource.objects.exclude(arxiv_id="")
    if curriculum:
        qs = qs.filter(entries__curriculum__slug=curriculum).distinct()
    if not everything:
        week_ago = now - timedelta(days=7)
        qs = qs.filter(Q(metadata_fetched_at__isnull=True) | Q(metadata_fetched_at__lt=week_ago))
    qs = qs.filter(Q(fetch_claimed_until__isnull=True) | Q(fetch_claimed_until__lt=now))
    ordered = qs.order_by(F("metadata_fetched_at").asc(nulls_first=True), "id")
    return list(ordered.values_list("id", flat=True)[:limit])


def checker_offline_since() -> datetime | None:
    """When the trailing run of inconclusive checks began; None when the last run judged."""
    last = CheckRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    if last is None or not last.inconclusive:
        return None
    good = (
        CheckRun.objects.filter(finished_at__isnull=False, inconclusive=False)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    offline = CheckRun.objects.filter(finished_at__isnull=False, inconclusive=True)
    if good is not None:
        offline = offline.filter(started_at__gt=good)
    return offline.order_by("started_at").values_list("started_at", flat=True).first()


def health_counts() -> dict[str, int]:
    rows = Resource.objects.values("health").annotate(n=Count("id"))
    counts = {value: 0 for value, _ in Resource.Health.choices}
    counts.update({row["health"]: row["n"] for row in rows})
    return counts


def outcomes_by_day(days: int = 30) -> list[dict]:
    """Per day, how many checks came out each way (for the chart)."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        LinkCheck.objects.filter(checked_at__gte=since)
        .annotate(day=TruncDate("checked_at"))
        .values("day", "outcome")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    table: dict = {}
    for row in rows:
        table.setdefault(row["day"], {})[row["outcome"]] = row["n"]
    return [
        {"day": day, "counts": counts, "total": sum(counts.values())}
        for day, counts in table.items()
    ]
