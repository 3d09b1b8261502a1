"""readlist.links: reversed URLs kept per process, never stale for a prefix or a urlconf."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import path, reverse, set_script_prefix

from readlist import links


def _nowhere(request):  # pragma: no cover - never called, only reversed
    raise AssertionError


urlpatterns = [path("elsewhere/", _nowhere, name="home")]


def test_the_same_as_reverse_and_kept_per_script_prefix():
    assert links.url("curricula:detail", "elicit") == reverse("curricula:detail", args=["elicit"])
    try:
        set_script_prefix("/readlist/")
        assert links.url("home") == "/readlist/"
    finally:
        set_script_prefix("/")
    assert links.url("home") == "/"


def test_a_new_root_urlconf_is_not_answered_from_the_old_one():
    assert links.url("home") == "/"
    with override_settings(ROOT_URLCONF=__name__):
        assert links.url("home") == "/elsewhere/"
    assert links.url("home") == "/"


@pytest.mark.django_db
def test_the_nav_links_where_the_names_point(client, owner):
    client.force_login(owner)
    html = client.get("/").content.decode()
    for name in ("notes:list", "teams:mine", "notes:search", "teams:digest", "account_logout"):
        assert f'"{reverse(name)}"' in html
