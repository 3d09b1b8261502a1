"""The navigation names the team page and the managers' dashboards apart ("Team" and
"Dashboard", never "Team" beside "Teams")."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def nav_links(client) -> dict[str, str]:
    page = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S).group(1)
    return {
        text.strip(): href
        for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    }


def test_manager_sees_team_and_dashboard(client, manager, team):
    client.force_login(manager)
    links = nav_links(client)
    assert links["Team"] == "/team/"
    assert links["Dashboard"] == "/teams/"
    assert "Teams" not in links


def test_member_sees_team_only(client, alice, team):
    client.force_login(alice)
    links = nav_links(client)
    assert links["Team"] == "/team/"
    assert "Dashboard" not in links and "Teams" not in links


def test_the_dashboards_page_is_headed_as_the_navigation_says(client, manager, team):
    client.force_login(manager)
    page = client.get("/teams/").content.decode()
    assert "<h1>Team dashboards</h1>" in page
