"""The weekly team summary: counts by state from the managers' dashboard, no names (it goes to
a shared channel)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse

from integrations.models import Hook
from integrations.services import hooks_emit
from teams import selectors
from teams.models import Team


def weekly_summary_context(team: Team) -> dict:
    board = selectors.dashboard(team)
    counts = {state: board.counts.get(state, 0) for state in selectors.State.RANK}
    return {
        "people": board.people,
        "curricula": len(board.curricula),
        "counts": counts,
        "lines": [
            {"state": state, "label": selectors.State.LABELS[state], "count": counts[state]}
            for state in sorted(counts, key=selectors.State.RANK.__getitem__)
            if counts[state]
        ],
        "dashboard_url": settings.SITE_URL.rstrip("/")
        + reverse("teams:dashboard", args=[team.slug]),
    }


def weekly_summaries_emit(*, week: dt.date) -> int:
    team_ids = (
        Hook.objects.filter(enabled=True).values_list("team_id", flat=True).distinct().order_by()
    )
    queued = 0
    for team in Team.objects.filter(id__in=list(team_ids)):
        hooks = [h for h in team.hooks.filter(enabled=True) if h.wants(Hook.Event.WEEKLY_SUMMARY)]
        if not hooks:
            continue
        context = weekly_summary_context(team)
        context["week"] = week.isoformat()
        queued += len(
            hooks_emit(
                Hook.Event.WEEKLY_SUMMARY,
                team=team,
                context=context,
                dedupe_key=f"weekly:{week.isoformat()}",
                hooks=hooks,
            )
        )
    return queued
