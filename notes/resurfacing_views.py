"""The "Still true" button of a resurfaced note (notes.resurfacing)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from notes import resurfacing
from notes.access import get_note_for_reader
from notes.models import Reaffirmation
from notes.views import _safe_next


@login_required
@require_POST
def note_still_true(request: HttpRequest, pk: int) -> HttpResponse:
    """Records that I read this note again and it holds (no new version); a plain form."""
    note = get_note_for_reader(request.user, pk)
    interval = request.POST.get("interval", "")
    if interval not in Reaffirmation.Interval.values:
        choices = ", ".join(Reaffirmation.Interval.values)
        return render(
            request,
            "notes/still_true_invalid.html",
            {"error": f"Say which interval the note came back for: one of {choices}."},
            status=422,
        )
    resurfacing.note_reaffirm(actor=request.user, note=note, interval=interval)
    if request.htmx:
        # The card says so in place (and takes the focus, so the keyboard is not lost).
        return render(request, "notes/_second_look.html#kept", {"note": note})
    # Back to the top of home, where the message shows.
    messages.success(
        request, f"“{note.title}”: still true, noted. It will not come back this time."
    )
    return redirect(_safe_next(request, reverse("home")))
