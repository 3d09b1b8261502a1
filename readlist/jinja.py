"""The Jinja2 environment for the few templates written in it (jinja2/): Django's URLs."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from readlist import links


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's Jinja2 backend turns autoescape on
    env.globals["url"] = links.url
    return env
