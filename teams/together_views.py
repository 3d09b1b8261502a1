"""The team page (everyone in the team): the week's finished reading, shared notes and their
discussions; posting and removing comments, with htmx or as plain forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notes.models import Note
from teams import access, discussion, together
from teams.forms import CommentForm, DiscussionEmailsForm
from teams.models import Comment, Team

PAGE = "teams/team_page.html"


def _thread_context(
    request: HttpRequest, team: Team, note: Note, *, whole: bool, form: CommentForm | None = None
) -> dict[str, Any]:
    return {
        "team": team,
        "thread": together.thread_of(team, request.user, note, whole=whole),
        "form": form or CommentForm(),
        "whole": whole,
        "max_chars": discussion.MAX_COMMENT_CHARS,
    }


def _back(team: Team, note_id: int, whole: bool) -> str:
    if whole:
        return reverse("teams:thread", args=[team.slug, note_id])
    return reverse("teams:together", args=[team.slug]) + f"#note-{note_id}"


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The navigation's "Team": my team's page, or a choice when I am in several."""
    teams = together.teams_of(request.user)
    if len(teams) == 1:
        return redirect("teams:together", slug=teams[0].slug)
    return render(request, "teams/my_teams.html", {"teams": teams})


@login_required
@require_GET
def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    team = access.get_team_for_member(request.user, slug)
    context = together.team_page(team, request.user, page=request.GET.get("page"))
    context["form"] = CommentForm()
    context["max_chars"] = discussion.MAX_COMMENT_CHARS
    context["manages"] = access.managed_teams(request.user).filter(pk=team.pk).exists()
    return render(request, PAGE, context)


@login_required
@require_GET
def thread(request: HttpRequest, slug: str, note_id: int) -> HttpResponse:
    """One shared note whole, with its whole discussion (the latest THREAD_MAX comments)."""
    team = access.get_team_for_member(request.user, slug)
    note = together.get_shared_note(team, request.user, note_id)
    context = _thread_context(request, team, note, whole=True)
    context["html"], _ = together.note_html(note, whole=True)
    context["author"] = together.author_name(note)
    return render(request, "teams/thread.html", context)


@login_required
@require_POST
def comment_create(request: HttpRequest, slug: str, note_id: int) -> HttpResponse:
    team = access.get_team_for_member(request.user, slug)
    note = together.get_shared_note(team, request.user, note_id)
    whole = request.POST.get("whole") == "1"
    form = CommentForm(request.POST)
    created = False
    if form.is_valid():
        try:
            _, created = discussion.comment_post(
                actor=request.user,
                team=team,
                note=note,
                body=form.cleaned_data["body"],
                key=form.cleaned_data["key"],
            )
        except discussion.CommentError as exc:
            form.add_error("body", str(exc))
    if not form.is_valid():
        context = _thread_context(request, team, note, whole=whole, form=form)
        if request.htmx:
            return render(request, "teams/team_page.html#thread", context, status=422)
        context["html"], _ = together.note_html(note, whole=True)
        context["author"] = together.author_name(note)
        return render(request, "teams/thread.html", context, status=422)
    if request.htmx:
        return render(
            request,
            "teams/team_page.html#thread",
            _thread_context(request, team, note, whole=whole),
        )
    if created:
        messages.success(request, "Comment posted.")
    return redirect(_back(team, note.pk, whole))


def _my_comment(request: HttpRequest, team: Team, pk: int) -> Comment:
    """My comment in this team, not removed, on a note still on its page; or 404."""
    mine = Comment.objects.filter(pk=pk, team=team, author=request.user, removed_at__isnull=True)
    comment = mine.select_related("note").first()
    if comment is None:
        raise Http404("No such comment of yours")
    together.get_shared_note(team, request.user, comment.note_id)
    return comment


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change my comment: in place with htmx (the comment becomes its form), or on a page of
    its own without JavaScript."""
    team = access.get_team_for_member(request.user, slug)
    comment = _my_comment(request, team, pk)
    whole = (request.POST or request.GET).get("whole") == "1"
    form = CommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            discussion.comment_edit(
                actor=request.user, comment=comment, body=form.cleaned_data["body"]
            )
        except discussion.CommentError as exc:
            form.add_error("body", str(exc))
        else:
            if request.htmx:
                context = _thread_context(request, team, comment.note, whole=whole)
                return render(request, "teams/team_page.html#thread", context)
            messages.success(request, "Comment changed.")
            return redirect(_back(team, comment.note_id, whole))
    context = {
        "team": team,
        "comment": comment,
        "form": form,
        "body": form["body"].value() if form.is_bound else comment.body,
        "whole": whole,
        "back": _back(team, comment.note_id, whole),
        "max_chars": discussion.MAX_COMMENT_CHARS,
    }
    status = 422 if form.is_bound else 200
    if request.htmx:
        response = render(request, "teams/team_page.html#comment-edit", context, status=status)
        if status == 422:
            # The form posts to the thread; an invalid edit comes back to where it was.
            response["HX-Retarget"] = f"#comment-{comment.pk}"
            response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "teams/comment_edit.html", context, status=status)


@login_required
@require_GET
def comment_history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Every version of my comment, newest first: only its author (and admins, in Django
    admin) read the words an edit replaced."""
    team = access.get_team_for_member(request.user, slug)
    comment = Comment.objects.filter(pk=pk, team=team, author=request.user).first()
    if comment is None:
        raise Http404("No such comment of yours")
    context = {
        "team": team,
        "comment": comment,
        "current": together.render_comment(comment),
        "revisions": together.comment_revisions(comment),
        "back": _back(team, comment.note_id, whole=True),
    }
    return render(request, "teams/comment_history.html", context)


@login_required
@require_POST
def comment_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Retire my comment (it stays in the thread as "comment removed")."""
    team = access.get_team_for_member(request.user, slug)
    mine = Comment.objects.filter(pk=pk, team=team, author=request.user)
    comment = mine.only("note_id", "author_id").first()
    if comment is None:
        raise Http404("No such comment of yours")
    note = together.get_shared_note(team, request.user, comment.note_id)
    discussion.comment_remove(actor=request.user, comment=comment)
    whole = request.POST.get("whole") == "1"
    if request.htmx:
        return render(
            request,
            "teams/team_page.html#thread",
            _thread_context(request, team, note, whole=whole),
        )
    messages.success(request, "Comment removed.")
    return redirect(_back(team, note.pk, whole))


@login_required
@require_POST
def discussion_emails(request: HttpRequest) -> HttpResponse:
    """The settings page's switch for mails about discussions."""
    form = DiscussionEmailsForm(request.POST)
    form.is_valid()  # an unticked box is simply off
    on = bool(form.cleaned_data.get("discussion_emails"))
    discussion.discussion_emails_set(actor=request.user, on=on)
    messages.success(request, "Emails about discussions " + ("on." if on else "off."))
    return redirect("teams:digest")
