"""The Jinja2 environment for the templates written in it (jinja2/): Django's URLs, and dates
formatted as Django's `date` filter formats them, in the site's time zone."""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import date as django_date
from django.utils.timezone import template_localtime

from jinja2 import Environment
from readlist import links


def _date(value: Any, fmt: str | None = None) -> str:
    return django_date(template_localtime(value), fmt)


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's Jinja2 backend turns autoescape on
    env.globals["url"] = links.url
    env.filters["date"] = _date
    return env
