"""Template filters for notes: Markdown rendered safe, statuses in words, status controls."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from notes import rows
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


def _per_request(context: Any, slug: str = "") -> tuple[SafeString, rows.Urls]:
    """The CSRF input and reversed URLs, computed once per render rather than once per row."""
    cache = context.render_context
    key = ("notes_rows", slug)
    if key not in cache:
        cache[key] = (rows.csrf_input(context["request"]), rows.Urls(slug))
    return cache[key]


@register.simple_tag(takes_context=True)
def status_control(context: Any, entry: Any, status: str, in_list: bool = False) -> SafeString:
    slug = entry.curriculum.slug if in_list else ""
    csrf, urls = _per_request(context, slug)
    return rows.status_control(
        entry_id=entry.pk,
        title=entry.title,
        status=status,
        csrf=csrf,
        next_url=context.get("next") or "",
        urls=urls,
        in_list=in_list,
        error=context.get("error") or "",
    )


@register.simple_tag(takes_context=True)
def entry_row(context: Any, row: Any) -> SafeString:
    csrf, urls = _per_request(context, context["curriculum"].slug)
    return rows.entry_row(row, csrf=csrf, next_url=context.get("next") or "", urls=urls)


@register.simple_tag(takes_context=True)
def entry_rows(context: Any, rows_: list) -> SafeString:
    """Every row of a topic in one call: a template loop would cost more than the rows."""
    csrf, urls = _per_request(context, context["curriculum"].slug)
    next_url = context.get("next") or ""
    return mark_safe(
        "".join(rows.entry_row(r, csrf=csrf, next_url=next_url, urls=urls) for r in rows_)
    )
