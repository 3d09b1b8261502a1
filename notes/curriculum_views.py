"""A member's curriculum pages: the outline with my progress, one entry with my note, follow."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from curricula.models import Curriculum
from notes import (
    deadlines,
    entry_rendering,
    markdown,
    outline,
    rendering,
    rules,
    selectors,
    services,
)
from notes.forms import FilterForm
from notes.models import Enrollment
from notes.services import NoteTarget
from notes.views import editor_context


@login_required
@require_GET
def detail(request: HttpRequest, slug: str, section: str | None = None) -> HttpResponse:
    """The outline and one tier's entries (`section`: a tier id or "none", else the tier I am
    on), a page of rows from ?from=; htmx asks for a tier's rows alone when it is opened."""
    curriculum = selectors.curriculum_by_slug(slug)
    if curriculum is None:
        raise Http404("No such curriculum")
    form = FilterForm(request.GET)
    filters = outline.Filters()
    if form.is_valid():
        filters = outline.Filters(
            remaining=form.cleaned_data["remaining"],
            hide_optional=form.cleaned_data["hide_optional"],
            role=form.cleaned_data["role"],
        )
    offset = request.GET.get("from", "0")
    offset_n = int(offset) if offset.isdigit() and len(offset) < 9 else 0
    built = outline.build(request.user, curriculum, filters, section=section, offset=offset_n)
    context = outline.page_context(curriculum)
    context.update(
        outline=built,
        form=form,
        filtered=filters != outline.Filters(),
        query=urlencode(filters.query()),
        next=request.get_full_path(),
    )
    context["rows_html"] = rendering.rows(context, built.current)
    status = 200 if form.is_valid() else 422
    if request.htmx and section is not None:
        return render(request, "curricula/detail.html#section-rows", context, status=status)
    context.update(
        # notes.markdown keeps each text rendered: a list's prose costs a lookup per view.
        description=markdown.render(curriculum.description),
        guidance=markdown.render(curriculum.guidance),
        rule_text=rules.rule_text(curriculum.completion_rule),
    )
    enrollment = built.enrollment
    if enrollment is not None and enrollment.source == Enrollment.Source.ASSIGNED:
        # Where I stand against my due date, as my manager sees it.
        deadline = deadlines.for_member(request.user, [curriculum.pk]).get(curriculum.pk)
        context["deadline"] = deadline
        if deadline is not None:
            context["deadline_html"] = render_to_string("notes/_deadline.html", {"d": deadline})
    context["body_html"] = rendering.page_body(context, request)
    return render(request, "curricula/detail.html", context, status=status)


@login_required
@require_GET
def entry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One entry with my status, my note and what my team shared: four queries with the
    session and the user (notes.selectors.entry_page, notes_on_entry)."""
    found = selectors.entry_page(request.user, slug, pk)
    if found is None:
        raise Http404("No such entry")
    item = found.entry
    target = NoteTarget.for_entry(item)
    note, shared = selectors.notes_on_entry(request.user, item)
    context = editor_context(request, target, "entry", item.pk, note)
    context.update(
        entry=item,
        curriculum=item.curriculum,
        status=found.status,
        # notes.markdown keeps each text rendered: a lookup per view once seen.
        shared=[(n, markdown.render(n.body or "")) for n in shared],
        elsewhere=found.elsewhere,
        why=item.why,
        why_html=markdown.render(item.why) if item.why else "",
    )
    # The body is Jinja2 (notes/entry_rendering.py); base.html stays the layout.
    body_html = entry_rendering.entry_body(request, context)
    return render(request, "curricula/entry.html", {"entry": item, "body_html": body_html})


@login_required
@require_POST
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    curriculum = get_object_or_404(Curriculum, slug=slug)
    services.enrollment_follow(actor=request.user, curriculum=curriculum)
    messages.success(request, f"You are following {curriculum.title}.")
    return redirect(curriculum)


@login_required
@require_POST
def unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    curriculum = get_object_or_404(Curriculum, slug=slug)
    if services.enrollment_unfollow(actor=request.user, curriculum=curriculum):
        messages.success(
            request, f"You stopped following {curriculum.title}. Your progress is kept."
        )
    elif selectors.is_enrolled(request.user, curriculum):
        messages.info(request, "An assigned curriculum stays on your list until it is unassigned.")
    return redirect(curriculum)
