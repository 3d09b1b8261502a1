"""Events found by looking rather than told: a periodic scan turns what changed into
deliveries, so the catalogue and the teams need not know that integrations exist. Every
delivery has a key, so a second scan (or a second beat) sends nothing twice."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from curricula.linkhealth.selectors import in_use
from curricula.models import Resource, TitleCheck
from integrations.models import Delivery, Hook
from integrations.services import deliveries_requeue_stale, hooks_emit
from teams import selectors
from teams.models import Team

BEHIND_STATES = {selectors.State.BEHIND, selectors.State.STALLED, selectors.State.OVERDUE}
MAX_LINKS = 50
MAX_FLAGS = 50  # per hook per scan; the rest go at the next scan


def _hooks_for(event: str) -> list[Hook]:
    hooks = Hook.objects.filter(enabled=True).select_related("team").order_by("id")
    return [h for h in hooks if h.wants(event)]


def links_broken_emit() -> int:
    """For admins: links newly settled as broken (in use by a live entry) since the last
    message to each hook, or since the hook was made."""
    queued = 0
    for hook in _hooks_for(Hook.Event.LINKS_BROKEN):
        last = (
            Delivery.objects.filter(hook=hook, event=Hook.Event.LINKS_BROKEN)
            .order_by("-id")
            .values_list("payload", flat=True)
            .first()
        )
        since = hook.created_at
        if last and last.get("until"):
            since = max(since, datetime.fromisoformat(last["until"]))
        broken = list(
            in_use(Resource.objects.filter(health=Resource.Health.BROKEN))
            .filter(health_changed_at__gt=since)
            .order_by("health_changed_at", "id")[:MAX_LINKS]
        )
        if not broken:
            continue
        until = max(r.health_changed_at for r in broken if r.health_changed_at)
        context = {
            "links": [{"url": r.url, "title": r.title or r.page_title} for r in broken],
            "until": until.isoformat(),
            "admin_url": settings.SITE_URL.rstrip("/")
            + reverse("admin:curricula_resource_changelist")
            + "?health__exact=broken",
        }
        queued += len(
            hooks_emit(
                Hook.Event.LINKS_BROKEN,
                team=hook.team,
                context=context,
                dedupe_key=f"links_broken:{until.isoformat()}",
                hooks=[hook],
            )
        )
    return queued


def wrong_papers_emit() -> int:
    """For admins: one message per entry newly flagged "wrong paper?" (or listed twice under
    another title) since the hook was made; once while it stays flagged (the key carries the
    moment it became flagged, so a flag that clears and comes back is news again)."""
    queued = 0
    page = settings.SITE_URL.rstrip("/") + reverse("admin:curricula_resource_linkhealth")
    for hook in _hooks_for(Hook.Event.WRONG_PAPER):
        checks = list(
            TitleCheck.objects.filter(
                flagged_at__gt=hook.created_at, entry__retired_in__isnull=True
            )
            .filter(Q(status=TitleCheck.Status.MISMATCH) | ~Q(conflict_title=""))
            .select_related("entry__curriculum", "entry__resource")
            .order_by("flagged_at", "id")
        )
        keys = {c.pk: f"wrong_paper:{c.entry_id}:{c.flagged_at.isoformat()}" for c in checks}
        sent = set(
            Delivery.objects.filter(hook=hook, dedupe_key__in=list(keys.values())).values_list(
                "dedupe_key", flat=True
            )
        )
        for check in [c for c in checks if keys[c.pk] not in sent][:MAX_FLAGS]:
            entry = check.entry
            context = {
                "entry": entry.title,
                "curriculum": entry.curriculum.title,
                "url": entry.resource.url if entry.resource else "",
                "real_title": check.real_title,
                "conflict_title": check.conflict_title,
                "status": check.status,
                "evidence": [str(e) for e in (check.evidence or [])][:3],
                "linkhealth_url": page,
            }
            queued += len(
                hooks_emit(
                    Hook.Event.WRONG_PAPER,
                    team=hook.team,
                    context=context,
                    dedupe_key=keys[check.pk],
                    hooks=[hook],
                )
            )
    return queued


def team_progress_emit() -> int:
    """For a team's channel: who finished an assigned curriculum (since the hook was made), and
    who fell behind, stalled or went overdue on one (once per state per assignment)."""
    wanted = _hooks_for(Hook.Event.FINISHED) + _hooks_for(Hook.Event.FELL_BEHIND)
    by_team: dict[int, list[Hook]] = {}
    for hook in wanted:
        by_team.setdefault(hook.team_id, [])
        if hook not in by_team[hook.team_id]:
            by_team[hook.team_id].append(hook)
    queued = 0
    for team in Team.objects.filter(id__in=list(by_team)):
        board = selectors.dashboard(team)
        url = settings.SITE_URL.rstrip("/") + reverse("teams:dashboard", args=[team.slug])
        for row in board.all_rows:
            context = {
                "person": row.person.name,
                "curriculum": row.curriculum.title,
                "state": row.state,
                "state_label": selectors.State.LABELS[row.state],
                "due_date": row.assignment.due_date.isoformat(),
                "dashboard_url": url,
            }
            for hook in by_team[team.id]:
                if row.state == selectors.State.DONE and hook.wants(Hook.Event.FINISHED):
                    if not row.last_activity or row.last_activity < hook.created_at:
                        continue  # finished before the hook existed: not news
                    event = Hook.Event.FINISHED
                    key = f"finished:{row.person.pk}:{row.curriculum.pk}"
                elif row.state in BEHIND_STATES and hook.wants(Hook.Event.FELL_BEHIND):
                    event = Hook.Event.FELL_BEHIND
                    key = (
                        f"behind:{row.person.pk}:{row.curriculum.pk}:{row.state}:"
                        f"{row.assignment.pk}"
                    )
                else:
                    continue
                queued += len(
                    hooks_emit(event, team=team, context=context, dedupe_key=key, hooks=[hook])
                )
    return queued


def events_emit() -> dict[str, int]:
    return {
        "links_broken": links_broken_emit(),
        "wrong_papers": wrong_papers_emit(),
        "team_progress": team_progress_emit(),
        "requeued": deliveries_requeue_stale(),
        "at": int(timezone.now().timestamp()),
    }
