"""Reversed URLs kept per process: every page reverses the same names (the nav's eight, a
link per tier and topic), ~40 µs each with Django's reverse(); a hit here is a dict lookup.

The key carries what reverse() reads besides the name: the request's urlconf and the script
prefix. A change of ROOT_URLCONF (tests) empties it, as it empties Django's own URL caches.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=4096)
def _reversed(urlconf: Any, prefix: str, name: str, args: tuple) -> str:
    return reverse(name, args=args)


def url(name: str, *args: Any) -> str:
    return _reversed(get_urlconf(), get_script_prefix(), name, args)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


_NAV = {
    "home": "home",
    "notes": "notes:list",
    "team": "teams:mine",
    "dashboard": "teams:list",
    "search": "notes:search",
    "settings": "teams:digest",
    "admin": "admin:index",
    "sign_out": "account_logout",
    "sign_in": "account_login",
}


def nav(request: HttpRequest) -> dict[str, dict[str, str]]:
    """Context processor: base.html's links, as {{ nav.home }} and so on."""
    return {"nav": {key: url(name) for key, name in _NAV.items()}}
