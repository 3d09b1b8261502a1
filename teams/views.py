"""Managers' pages: their teams, the dashboard, one person, CSV exports, assignments; digests."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from teams import access, charts, digests, discussion, exports, rendering, selectors, services
from teams.forms import AssignmentEditForm, AssignmentForm, DigestForm, DiscussionEmailsForm

SESSION_FLAG = "teams_manager"
# People × curricula per page of the dashboard: what a manager reads at once; a team of 1,000
# is 3,000 rows, which no one reads on one screen.
PAGE_SIZE = 50
COLUMNS = [
    ("name", "Person"),
    ("curriculum", "Curriculum"),
    ("progress", "Progress"),
    ("tier", "Current tier"),
    ("activity", "Last activity"),
    ("notes", "Notes"),
    ("due", "Due"),
    ("state", "State"),
]


def remember_manager(request: HttpRequest) -> bool:
    """Whether to show the Teams link; kept in the session so other pages pay no query."""
    flag = access.manages_any_team(request.user)
    if request.session.get(SESSION_FLAG) != flag:
        request.session[SESSION_FLAG] = flag
    return flag


def _posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to (even when empty: an empty form is still a submission)."""
    return request.POST if request.method == "POST" else None


def _csv(filename: str, body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    if not remember_manager(request):
        raise Http404("You manage no team")
    teams = access.managed_teams(request.user).order_by("name")
    return render(request, "teams/list.html", {"teams": teams})


def _heatmaps(board: selectors.Dashboard, page: list[selectors.Row]) -> list[dict]:
    """One heatmap per curriculum: the people on this page × its tiers that require something."""
    shown: dict[int, list[selectors.Row]] = {c.id: [] for c in board.curricula}
    for r in page:
        shown[r.assignment.curriculum_id].append(r)
    out = []
    for curriculum in board.curricula:
        rows = shown[curriculum.id]
        if not rows:
            continue
        # Every person's cell lists the same tiers in the same order (one Shape per curriculum).
        keep = [i for i, t in enumerate(rows[0].cell.tiers) if t.total]
        columns = [
            t.tier.label if t.tier else "Other" for t in (rows[0].cell.tiers[i] for i in keep)
        ]
        grid = []
        for r in rows:
            tiers = r.cell.tiers
            grid.append((r.name, [(tiers[i].done, tiers[i].total) for i in keep]))
        if columns:
            title = f"{curriculum.title}: share of each tier done, per person"
            out.append(
                {"curriculum": curriculum, "svg": charts.heatmap(grid, columns, title=title)}
            )
    return out


def _page_number(value: str | None) -> int:
    """The page number asked for; anything else is the first page, as Paginator.get_page."""
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    team = access.get_team_for_manager(request.user, slug)
    filters = selectors.Filters.from_query(request.GET)
    # The page asked for is read with the counts, in one query; a number past the last page
    # (Paginator shows the last) costs one more.
    number = _page_number(request.GET.get("page"))
    # Its figures are kept under the team's BoardVersion, read with the team.
    board = selectors.dashboard(
        team,
        filters,
        page=((number - 1) * PAGE_SIZE, PAGE_SIZE),
        version=team.board_version,  # type: ignore[attr-defined]
    )
    # A page of the selection (filtered and sorted); the counts, the chart and the CSV take
    # all of it.
    page = Paginator(board.rows, PAGE_SIZE).get_page(number)
    query = filters.as_params()

    def drawn() -> tuple[str, list[dict], str]:
        people_prefix = reverse("teams:dashboard", args=[team.slug]) + "people/"
        weekly = charts.cumulative(
            board.weekly, title=f"{team.name}: cumulative entries done per week"
        )

        def table() -> tuple[list[dict], str]:
            rows = list(page.object_list)
            return _heatmaps(board, rows), rendering.rows(rows, people_prefix)

        # After a write by someone not on this page, its rows are the same: so is the table
        # drawn from them (kept with the team's rows, which go with any other change).
        live = board.live() if board.live is not None else None
        same = page.number == number and len(page.object_list) == len(board.page_values)
        if live is not None and same and board.curricula is live.parts.curricula:
            heatmaps, rows_html = live.drawn.get((team.slug, board.page_values), table)
        else:
            heatmaps, rows_html = table()
        return weekly, heatmaps, rows_html

    # The charts and rows, drawn from the figures alone, are kept with them.
    if board.key is None:
        weekly_svg, heatmaps, rows_html = drawn()
    else:
        key = ("drawn", board.key, page.number, team.slug, team.name)
        weekly_svg, heatmaps, rows_html = selectors.memo.get(key, drawn)
    context = {
        "team": team,
        "board": board,
        "filters": filters,
        "states": selectors.State.LABELS,
        "weekly_svg": weekly_svg,
        "heatmaps": heatmaps,
        "rows_html": rows_html,
        "page": page,
        "page_query": urlencode(query),
        "columns": [(key, label, filters.sort_link(key)) for key, label in COLUMNS],
        "state_counts": [(k, v, board.counts[k]) for k, v in selectors.State.LABELS.items()],
        "csv_query": request.GET.urlencode(),
    }
    body_html = rendering.body(context)
    return render(request, "teams/dashboard.html", {"team": team, "body_html": body_html})


# A CSV of more rows than this is sent as it is written (read from the database in chunks).
STREAM_ROWS = 2000


@login_required
@require_GET
def dashboard_csv(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Every row the filter keeps, not only a page's, in the page's order."""
    team = access.get_team_for_manager(request.user, slug)
    board = selectors.dashboard(team, selectors.Filters.from_query(request.GET))
    filename = f"{team.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    rows = exports.dashboard_rows(board.rows)
    if len(board.rows) <= STREAM_ROWS:
        return _csv(filename, exports.to_csv(exports.DASHBOARD_HEADER, rows))
    response = StreamingHttpResponse(
        exports.stream_csv(exports.DASHBOARD_HEADER, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def member(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    team = access.get_team_for_manager(request.user, slug)
    person = access.get_member_of_team(team, user_id)
    context = selectors.member_page(team, person)
    name = selectors.Member.of(person).name
    context["team"] = team
    context["name"] = name
    context["weekly_svg"] = charts.cumulative(
        context["weekly"], title=f"{name}: cumulative entries done per week"
    )
    for row in context["rows"]:
        tiers = [t for t in row.cell.tiers if t.total]
        row.heatmap = charts.heatmap(
            [(name, [(t.done, t.total) for t in tiers])],
            [t.tier.label if t.tier else "Other" for t in tiers],
            title=f"{name} in {row.curriculum.title}: share of each tier done",
        )
        row.grid = tiers
    return render(request, "teams/member.html", context)


@login_required
@require_GET
def member_csv(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    team = access.get_team_for_manager(request.user, slug)
    person = access.get_member_of_team(team, user_id)
    entries = selectors.member_entries(person, selectors.assigned_curricula(team, person))
    body = exports.to_csv(exports.MEMBER_HEADER, exports.member_rows(entries))
    return _csv(f"{team.slug}-{person.get_username()}.csv", body)


@login_required
@require_http_methods(["GET", "POST"])
def assignments(request: HttpRequest, slug: str) -> HttpResponse:
    team = access.get_team_for_manager(request.user, slug)
    form = AssignmentForm(_posted(request), team=team)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            person = None
            if data["person"]:
                person = access.get_member_of_team(team, data["person"])
            try:
                services.assignment_create(
                    actor=request.user,
                    team=team,
                    curriculum=data["curriculum"],
                    start_date=data["start_date"],
                    due_date=data["due_date"],
                    user=person,
                )
            except services.AssignmentError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Assigned {data['curriculum']}.")
                return redirect("teams:assignments", slug=team.slug)
        status = 422
    listed = access.team_assignments(team).select_related("user", "team", "assigned_by")
    context = {"team": team, "form": form, "assignments": list(listed)}
    return render(request, "teams/assignments.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = access.get_team_for_manager(request.user, slug)
    assignment = access.get_assignment_for_manager(team, pk)
    initial = {"start_date": assignment.start_date, "due_date": assignment.due_date}
    form = AssignmentEditForm(_posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.assignment_update(
                actor=request.user,
                assignment=assignment,
                start_date=form.cleaned_data["start_date"],
                due_date=form.cleaned_data["due_date"],
            )
            messages.success(request, f"Updated the dates of {assignment.curriculum}.")
            return redirect("teams:assignments", slug=team.slug)
        status = 422
    context = {"team": team, "form": form, "assignment": assignment}
    return render(request, "teams/assignment_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET asks first (a page of its own, so it works without JavaScript); POST withdraws."""
    team = access.get_team_for_manager(request.user, slug)
    assignment = access.get_assignment_for_manager(team, pk)
    if request.method == "GET":
        context = {"team": team, "assignment": assignment}
        return render(request, "teams/assignment_delete.html", context)
    services.assignment_delete(actor=request.user, assignment=assignment)
    messages.success(
        request,
        f"Withdrew {assignment.curriculum}; people keep following it and keep their progress.",
    )
    return redirect("teams:assignments", slug=team.slug)


@login_required
@require_http_methods(["GET", "POST"])
def digest(request: HttpRequest) -> HttpResponse:
    initial = {"weekly_digest": digests.wants_member_digest(request.user)}
    form = DigestForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["weekly_digest"]
        services.digest_preference_set(actor=request.user, weekly_digest=on)
        messages.success(request, "Weekly digest " + ("on." if on else "off."))
        return redirect("teams:digest")
    discussion_form = DiscussionEmailsForm(
        initial={"discussion_emails": discussion.wants_discussion_emails(request.user)}
    )
    return render(request, "teams/digest.html", {"form": form, "discussion_form": discussion_form})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From the link in a digest, signed in or not: a button (a GET never changes anything,
    so link scanners in mail systems cannot unsubscribe people)."""
    person = digests.user_for_token(token)
    if person is None:
        raise Http404("This unsubscribe link is not valid")
    if request.method == "POST":
        services.digest_preference_set(actor=person, weekly_digest=False)
        return render(request, "teams/unsubscribed.html", {"person": person})
    return render(request, "teams/unsubscribe.html", {"person": person, "token": token})
