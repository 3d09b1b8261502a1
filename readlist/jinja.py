"""The Jinja2 environment for the templates written in it (jinja2/): Django's URLs, dates and
times formatted as Django's `date` and `time` filters format them, in the site's time zone, and
Django's `linebreaksbr`."""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import date as django_date
from django.template.defaultfilters import linebreaksbr as django_linebreaksbr
from django.template.defaultfilters import time as django_time
from django.utils.timezone import template_localtime

from jinja2 import Environment
from readlist import links


def _date(value: Any, fmt: str | None = None) -> str:
    return django_date(template_localtime(value), fmt)


def _time(value: Any, fmt: str | None = None) -> str:
    return django_time(template_localtime(value), fmt)


def _linebreaksbr(value: Any) -> str:
    """Escaped, each newline a <br> (Django's filter; safe for Jinja2 as for Django)."""
    return django_linebreaksbr(value, autoescape=True)


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's Jinja2 backend turns autoescape on
    env.globals["url"] = links.url
    env.filters["date"] = _date
    env.filters["time"] = _time
    env.filters["linebreaksbr"] = _linebreaksbr
    return env
