"""The entry page's body, its status control and the note editor, rendered by Jinja2 from one
set of macros (jinja2/curricula/entry.html, jinja2/notes/status.html, jinja2/notes/editor.html).

The status control and the editor were Django template partials that the entry page included;
the note edit page and the answers to a save or a status change render the same macros, so
each has one markup. As a Django template the entry page rendered in 2.6-3.3 ms of CPU, base.html
included; now 0.8-1.2 ms for base.html and 1.0-1.3 ms for this body (bench/pages.py's entry,
time.thread_time, medians of 200 views, load average 5-6).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.template import engines
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from notes import outline
from notes.models import Note
from readlist import csrf


def _macros(name: str) -> Any:
    return engines["jinja2"].env.get_template(name).module


_FIELDS = ("body", "visibility", "base_version", "base_saves")


def editor_state(request: HttpRequest, context: Mapping[str, Any]) -> dict[str, Any]:
    """What the editor shows, from a view's context: what was sent (a bound form) or what it
    starts from (notes.views.editor_context's initial values), my note, where it saves, and
    after a save that failed, why (error) or the version it met (conflict, with the diff)."""
    form = context.get("form")
    sent = form is not None
    values = {name: form[name].value() for name in _FIELDS} if sent else context["initial"]
    conflict = context.get("conflict")
    diff = context.get("conflict_diff")
    return {
        **values,
        "choices": Note.Visibility.choices,
        "note": context.get("note"),
        "save_url": context["save_url"],
        "csrf_input": csrf.hidden_input(request),
        "error": context.get("error", ""),
        "conflict": conflict,
        # The diff keeps its one markup (notes/_diff.html, shared with a version's page).
        "conflict_diff_html": render_to_string("notes/_diff.html", {"diff": diff})
        if conflict and diff
        else "",
        "back_url": context.get("back_url") or request.path,
        "preview": context.get("preview"),
    }


# Safe below: the Jinja2 backend autoescapes everything it outputs.


def editor(request: HttpRequest, context: Mapping[str, Any]) -> SafeString:
    """The note editor (its form), as the entry page and the note edit page show it."""
    return mark_safe(_macros("notes/editor.html").editor(editor_state(request, context)))


def saved(request: HttpRequest, context: Mapping[str, Any]) -> SafeString:
    """A save's answer to htmx: the fields a save moves, swapped out of band."""
    return mark_safe(_macros("notes/editor.html").saved(editor_state(request, context)))


def preview(html: SafeString) -> SafeString:
    """The rendered note under a heading, for the editor's preview pane."""
    return mark_safe(_macros("notes/editor.html").preview_of(html))


def status_control(
    request: HttpRequest, entry: Any, status: str, next: str = "", error: str = ""
) -> SafeString:
    """An entry's own status control (the entry page's, and what its answers swap in)."""
    macro = _macros("notes/status.html").status_control
    return mark_safe(
        macro(entry, status, outline.STATUS_BUTTONS, csrf.hidden_input(request), next, error)
    )


def entry_body(request: HttpRequest, context: dict[str, Any]) -> SafeString:
    """The entry page's body (what base.html's content block shows)."""
    body = {
        **context,
        "csrf_input": csrf.hidden_input(request),
        "note_editor": editor_state(request, context),
        "status_buttons": outline.STATUS_BUTTONS,
    }
    return mark_safe(engines["jinja2"].get_template("curricula/entry.html").render(body))
