"""Template filters for notes: Markdown rendered safe."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from notes.markdown import render

register = template.Library()


@register.filter
def safe_markdown(text: str) -> SafeString:
    return render(text or "")
