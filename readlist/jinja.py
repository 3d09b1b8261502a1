"""The Jinja2 environment for the few templates written in it (jinja2/): Django's URLs."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from jinja2 import Environment


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's Jinja2 backend turns autoescape on
    env.globals["url"] = lambda name, *args: reverse(name, args=args)
    return env
