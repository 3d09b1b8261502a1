"""For managers: their teams and each team's progress rows, the dashboard's own numbers."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router

from api import pagination
from api.endpoints.common import READ_ERRORS, Paging, links
from api.schemas import TeamOut, TeamRowPage
from teams import access
from teams import selectors as team_selectors

router = Router(tags=["teams"])

SortName = Literal[
    "name", "curriculum", "progress", "tier", "activity", "notes", "due", "state",
    "-name", "-curriculum", "-progress", "-tier", "-activity", "-notes", "-due", "-state",
]  # fmt: skip
StateName = Literal["done", "overdue", "stalled", "behind", "on_track", "not_started"]


class RowQuery(Paging):
    state: StateName | None = None
    curriculum: str | None = Field(None, max_length=100)
    q: str | None = Field(None, max_length=100, description="Part of a name, username or email.")
    sort: SortName = "state"


@router.get(
    "/teams",
    response={200: list[TeamOut], **READ_ERRORS},
    operation_id="teams_list",
    openapi_extra=links(200, rows=("team_rows", {"slug": "$response.body#/0/slug"})),
)
def teams(request: HttpRequest) -> list[dict[str, Any]]:
    """The teams I manage (an empty list for everyone else)."""
    return [{"slug": t.slug, "name": t.name} for t in access.managed_teams(request.user)]


@router.get(
    "/teams/{slug}/rows",
    response={200: TeamRowPage, **READ_ERRORS},
    operation_id="team_rows",
)
def rows(request: HttpRequest, slug: str, query: Query[RowQuery]) -> dict[str, Any]:
    """Each member × assigned curriculum, as the dashboard shows them, filtered and sorted the
    same way (the dashboard's query parameters)."""
    team = access.get_team_for_manager(request.user, slug)
    params = {
        "state": query.state or "",
        "curriculum": query.curriculum or "",
        "q": query.q or "",
        "sort": query.sort,
    }
    board = team_selectors.dashboard(team, team_selectors.Filters.from_query(params))
    page, following = pagination.positional(board.rows, query.cursor, query.limit)
    return {
        "items": [_row(r) for r in page],
        "next_cursor": following,
        "counts": dict(board.counts),
    }


def _row(r: Any) -> dict[str, Any]:
    tier = r.cell.current_tier
    return {
        "person": {
            "id": r.person.pk,
            "username": r.person.get_username(),
            "name": r.name,
            "email": r.person.email,
        },
        "curriculum": r.curriculum.slug,
        "curriculum_title": r.curriculum.title,
        "progress_percent": r.cell.percent,
        "done": r.cell.done,
        "required": r.cell.total,
        "entries_finished": r.finished,
        "expected_percent": r.expected,
        "current_tier": str(tier) if tier else None,
        "last_activity": r.last_activity,
        "notes": r.notes,
        "start_date": r.assignment.start_date,
        "due_date": r.assignment.due_date,
        "state": r.state,
        "state_label": r.state_label,
    }
