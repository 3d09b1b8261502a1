"""Pages and htmx endpoints for my reading status and my notes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from curricula.models import Curriculum, Entry, Tier, Topic
from notes import (
    deadlines,
    diffs,
    entry_rendering,
    exports,
    markdown,
    outline,
    rendering,
    search,
    selectors,
    services,
)
from notes.access import get_note_for_owner, get_note_for_reader
from notes.forms import NoteForm, PreviewForm, SearchForm, StatusForm
from notes.models import Enrollment, Note, NoteVersion, Status
from notes.services import NoteTarget
from readlist import links


def _safe_next(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def entry_url(entry: Entry) -> str:
    return reverse("curricula:entry", args=[entry.curriculum.slug, entry.pk])


def _active_entry(pk: int) -> Entry:
    return get_object_or_404(
        Entry.objects.active().select_related("curriculum", "resource", "tier", "topic"), pk=pk
    )


@login_required
@require_POST
def entry_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The entry page's own status control."""
    return _set_status(request, _active_entry(pk), request.POST.get("status", ""))


@login_required
@require_POST
def status_set(request: HttpRequest) -> HttpResponse:
    """The curriculum page's one status form: the pressed button sends "<entry id>:<status>"."""
    pk, _, status = request.POST.get("set", "").partition(":")
    if not pk.isdigit() or len(pk) > 12:
        raise Http404("No such entry")
    return _set_status(request, _active_entry(int(pk)), status)


def _set_status(request: HttpRequest, entry: Entry, status: str) -> HttpResponse:
    form = StatusForm({"status": status})
    in_list = request.POST.get("context") == "curriculum"
    context = {"entry": entry, "status": status, "next": ""}
    context["status_buttons"] = outline.STATUS_BUTTONS
    if not form.is_valid():
        error = "Choose one of: " + ", ".join(label for _, label in Status.choices)
        context["error"] = error
        if not request.htmx:
            return render(request, "notes/status_invalid.html", context, status=422)
        if in_list:
            context.update(outline.page_context(entry.curriculum))
            current = selectors.status_of(entry, selectors.status_maps_for(request.user, [entry]))
            html = rendering.row(context, outline.row_for(request.user, entry, current), error)
            response = HttpResponse(html, status=422)
            response["HX-Retarget"] = f"#entry-{entry.pk}"
        else:
            html = entry_rendering.status_control(request, entry, status, error=error)
            response = HttpResponse(html, status=422)
            response["HX-Retarget"] = f"#status-{entry.pk}"
        response["HX-Reswap"] = "outerHTML"
        return response
    services.progress_set(actor=request.user, entry=entry, status=form.cleaned_data["status"])
    if not request.htmx:
        label = Status(form.cleaned_data["status"]).label
        messages.success(request, f"“{entry.title}” marked {label.lower()}.")
        return redirect(_safe_next(request, entry_url(entry)) + f"#entry-{entry.pk}")
    context["status"] = form.cleaned_data["status"]
    context["next"] = _safe_next(request, "")
    if in_list:
        # The row (it greys out when done), plus its tier's progress and the page's totals.
        built = outline.build(request.user, entry.curriculum, rows=False)
        context.update(outline.page_context(entry.curriculum))
        key = outline.section_key(entry.tier_id)
        context.update(
            oob=True,
            section=next((s for s in built.sections if s.key == key), None),
            outline=built,
        )
        if built.enrollment and built.enrollment.source == Enrollment.Source.ASSIGNED:
            # Where I stand against my due date moves with my progress.
            context["deadline"] = deadlines.for_member(request.user, [entry.curriculum_id]).get(
                entry.curriculum_id
            )
        started = built.enrollment.started_at if built.enrollment else None
        context["row_html"] = rendering.row(
            context, outline.row_for(request.user, entry, context["status"], started)
        )
        context["extras_html"] = rendering.status_extras(context["section"], built)
        response = render(request, "curricula/detail.html#status-response", context)
        response["HX-Retarget"] = f"#entry-{entry.pk}"
        response["HX-Reswap"] = "outerHTML"
        return response
    return HttpResponse(
        entry_rendering.status_control(request, entry, context["status"], context["next"])
    )


def _target(kind: str, pk: int) -> tuple[NoteTarget, str, str]:
    """The thing a note is about, its title and the page to go back to; 404 if unknown."""
    if kind == "entry":
        # Retired entries keep their notes, and their notes stay editable.
        entry = get_object_or_404(
            Entry.objects.select_related("curriculum", "resource", "tier", "topic"), pk=pk
        )
        return NoteTarget.for_entry(entry), entry.title, entry_url(entry)
    if kind == "tier":
        tier = get_object_or_404(Tier.objects.select_related("curriculum"), pk=pk)
        return NoteTarget.for_tier(tier), f"Summary of {tier}", tier.curriculum.get_absolute_url()
    if kind == "topic":
        topic = get_object_or_404(Topic.objects.select_related("curriculum"), pk=pk)
        title = f"Summary of {topic.title}"
        return NoteTarget.for_topic(topic), title, topic.curriculum.get_absolute_url()
    raise Http404("Unknown kind of note")


SUMMARY_TEMPLATE = (
    "## What knob this gives me\n\n\n## When it fails\n\n\n## What metric it affects\n\n"
)


def editor_context(
    request: HttpRequest, target: NoteTarget, kind: str, pk: int, note: Note | None
) -> dict:
    """What the editor starts from: my note, or the template a new one starts with. Plain
    values, not an unbound NoteForm: building one deep-copies its fields (~0.15 ms of CPU
    on every view of the entry page); a POST re-renders the bound form instead."""
    if note:
        body = note.body
    elif target.kind in (Note.Kind.TIER, Note.Kind.TOPIC):
        # A summary answers the list's own question for the tier, not the per-paper one.
        body = SUMMARY_TEMPLATE
    else:
        body = target.curriculum.note_template
    return {
        "initial": {
            "body": body,
            "visibility": note.visibility if note else Note.Visibility.PRIVATE,
            "base_version": note.version if note else 0,
            "base_saves": note.saves if note else 0,
        },
        "note": note,
        "save_url": links.url("notes:edit", kind, pk),
    }


def _edit_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """The note edit page, its editor from the macro the entry page shows it with."""
    context["editor_html"] = entry_rendering.editor(request, context)
    return render(request, "notes/edit.html", context, status=status)


def _edit_answer(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """A save's answer: to htmx what the save moves (out of band), else the whole page."""
    if request.htmx:
        return HttpResponse(entry_rendering.saved(request, context), status=status)
    return _edit_page(request, context, status)


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """My note on an entry, or my summary of a tier or topic: edit, preview, save."""
    target, title, back_url = _target(kind, pk)
    note = selectors.my_note(request.user, target.lookup())
    if request.method == "GET":
        if kind == "entry":
            return redirect(back_url + "#my-note")
        context = editor_context(request, target, kind, pk, note)
        context.update(title=title, back_url=back_url, target=target)
        if target.kind in (Note.Kind.TIER, Note.Kind.TOPIC):
            context["beside"] = selectors.my_notes_within(request.user, target)
        return _edit_page(request, context)

    form = NoteForm(request.POST)
    context = {
        "form": form,
        "note": note,
        "title": title,
        "back_url": back_url,
        "target": target,
        "save_url": links.url("notes:edit", kind, pk),
    }
    if not form.is_valid():
        context["error"] = "; ".join(
            f"{form.fields[f].label or f}: {' '.join(errs)}" for f, errs in form.errors.items()
        )
        return _edit_answer(request, context, status=422)
    if request.POST.get("action") == "preview":
        context["preview"] = markdown.render(form.cleaned_data["body"])
        return _edit_page(request, context)
    try:
        note, _changed = services.note_save(
            actor=request.user,
            target=target,
            body=form.cleaned_data["body"],
            visibility=form.cleaned_data["visibility"],
            base_version=form.effective_base(),
            base_saves=form.effective_saves(),
        )
    except services.NoteConflict as conflict:
        current = conflict.note
        context.update(
            note=current,
            conflict=current,
            conflict_diff=diffs.lines(current.body, form.cleaned_data["body"]),
        )
        return _edit_answer(request, context, status=409)
    context["note"] = note
    if request.htmx:
        return _edit_answer(request, context)
    messages.success(request, f"Note saved (version {note.version}).")
    return redirect(back_url + "#my-note" if kind == "entry" else request.path)


@login_required
@require_POST
def note_preview(request: HttpRequest) -> HttpResponse:
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return HttpResponse("The note is too long to preview.", status=422)
    return HttpResponse(entry_rendering.preview(markdown.render(form.cleaned_data["body"])))


@login_required
@require_GET
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_note_for_reader(request.user, pk)
    return render(
        request,
        "notes/detail.html",
        {"note": note, "html": markdown.render(note.body), "mine": note.user_id == request.user.pk},
    )


@login_required
@require_GET
def note_history(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_note_for_owner(request.user, pk)
    versions = list(note.versions.order_by("-number").defer("body"))
    return render(request, "notes/history.html", {"note": note, "versions": versions})


@login_required
@require_GET
def note_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One old version and what changed from the one before it."""
    note = get_note_for_owner(request.user, pk)
    pair = {v.number: v for v in note.versions.filter(number__in=[number - 1, number])}
    version = pair.get(number)
    if version is None:
        raise Http404("No such version")
    previous = pair.get(number - 1)
    return render(
        request,
        "notes/version.html",
        {
            "note": note,
            "version": version,
            "previous": previous,
            "diff": diffs.lines(previous.body if previous else "", version.body),
            "html": markdown.render(version.body),
        },
    )


@login_required
@require_POST
def note_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    note = get_note_for_owner(request.user, pk)
    if not NoteVersion.objects.filter(note=note, number=number).exists():
        raise Http404("No such version")
    note = services.note_restore(actor=request.user, note=note, number=number)
    messages.success(request, f"Version {number} restored as version {note.version}.")
    return redirect("notes:history", pk=note.pk)


@login_required
@require_POST
def changes_seen(request: HttpRequest, slug: str) -> HttpResponse:
    """Marks a followed list's changes read (a plain form: works without JavaScript)."""
    curriculum = get_object_or_404(Curriculum.objects.only("pk", "slug"), slug=slug)
    raw = request.POST.get("upto", "")
    upto = int(raw) if raw.isdigit() and len(raw) < 10 else None
    if not services.changes_mark_seen(actor=request.user, curriculum=curriculum, upto=upto):
        raise Http404("You do not follow this curriculum")
    return redirect(_safe_next(request, reverse("home")))


@login_required
@require_GET
def my_notes(request: HttpRequest) -> HttpResponse:
    curricula = list(Curriculum.objects.only("slug", "title").order_by("title"))
    chosen = next((c for c in curricula if c.slug == request.GET.get("curriculum")), None)
    notes = list(selectors.my_notes(request.user, chosen)[:500])
    return render(
        request,
        "notes/list.html",
        {
            "notes": notes,
            "curricula": curricula,
            "chosen": chosen,
            "export_formats": [("bib", "BibTeX"), ("json", "CSL-JSON"), ("md", "Markdown list")],
        },
    )


@login_required
@require_GET
def export_notes(request: HttpRequest) -> HttpResponse:
    chosen = None
    if request.GET.get("curriculum"):
        chosen = get_object_or_404(Curriculum, slug=request.GET["curriculum"])
    notes = selectors.my_notes(request.user, chosen)
    text = render(request, "notes/export.md", {"notes": notes, "chosen": chosen}).content
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    name = f"readlist-notes{'-' + chosen.slug if chosen else ''}.md"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def export_reading(request: HttpRequest, fmt: str) -> HttpResponse:
    """My reading (the curricula I follow, or ?curriculum=) as BibTeX, CSL-JSON or Markdown,
    with my status and my own notes."""
    if fmt not in exports.FORMATS:
        raise Http404("Unknown export format")
    followed = Curriculum.objects.filter(enrollments__user=request.user).order_by("title")
    if request.GET.get("curriculum"):
        followed = followed.filter(slug=request.GET["curriculum"])
        if not followed.exists():
            raise Http404("You do not follow this curriculum")
    curricula = list(followed.defer("guidance", "note_template"))
    response = HttpResponse(
        exports.export(request.user, curricula, fmt), content_type=exports.FORMATS[fmt]
    )
    slug = f"-{curricula[0].slug}" if request.GET.get("curriculum") else ""
    response["Content-Disposition"] = f'attachment; filename="readlist-reading{slug}.{fmt}"'
    return response


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    context: dict = {"form": form, "q": q}
    if q:
        # The results are Jinja2 (jinja2/notes/search_results.html): as a Django template
        # they took 4.0 ms to render for 50 entries and 19 notes, here 0.5 ms (2.4 against
        # 0.3 ms for 50 entries alone), same markup, same data (bench/pages.py's).
        results = {"results": search.search(request.user, q), "q": q}
        results["note_prefix"] = reverse("notes:list")
        # Safe: the Jinja2 backend autoescapes everything it outputs.
        context["results_html"] = mark_safe(
            engines["jinja2"].get_template("notes/search_results.html").render(results)
        )
    status = 200 if form.is_valid() else 422
    return render(request, "notes/search.html", context, status=status)


@require_GET
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email: remember it for the sign-up form, then go there."""
    from notes.adapters import SESSION_KEY
    from notes.models import Invitation

    invite = Invitation.objects.filter(token=token).first()
    if invite is None:
        return render(request, "notes/invitation_invalid.html", {"reason": "unknown"}, status=404)
    if invite.accepted_at is not None or invite.expired:
        reason = "used" if invite.accepted_at is not None else "expired"
        return render(request, "notes/invitation_invalid.html", {"reason": reason}, status=410)
    request.session[SESSION_KEY] = invite.token
    messages.info(request, f"Create your account with {invite.email}.")
    return redirect("account_signup")
