"""Template filters for notes: Markdown rendered safe, statuses in words."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from notes.markdown import render
from notes.models import Status

register = template.Library()


@register.filter
def safe_markdown(text: str) -> SafeString:
    return render(text or "")


@register.filter
def status_word(value: str) -> str:
    """A status for a sentence ("to_read" → "to read"); anything unknown as it is."""
    try:
        return str(Status(value).label).lower()
    except ValueError:
        return value
