"""Small holes closed: NUL bytes, HEAD, error pages, the Sites row, private caching, the CSP."""

from __future__ import annotations

import re

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from readlist.guards import PrivateCacheMiddleware
from readlist.outage import server_error
from tests import factories

pytestmark = pytest.mark.django_db


def _routes(patterns=None, prefix: str = "") -> list[str]:
    """Every URL of the site, with `a%00b` for each text part and 1 for each number."""
    out = []
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(p.pattern)
        route = route.lstrip("^").rstrip("$").replace("\\Z", "")
        route = re.sub(r"<int:[^>]+>", "1", route)
        route = re.sub(r"<(?:str:|slug:|path:)?[^>]+>", "a%00b", route)
        if isinstance(p, URLResolver):
            out += _routes(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern) and "(?P" not in route and "\\" not in route:
            out.append("/" + prefix + route)
    return sorted(set(out))


ROUTES = [r for r in _routes() if "a%00b" in r]
QUERY = "?curriculum=%00&q=%00&page=%00&sort=%00&state=%00&next=%00&person=%00"


def test_the_sweep_covers_the_pages_named_in_the_report():
    assert "/invitations/a%00b/" in ROUTES
    assert len(ROUTES) >= 5


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(factories.make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("url", ["/invitations/a%00b/", "/notes/export.md?curriculum=%00"])
def test_the_reported_nul_urls_are_a_clear_400(superuser_client, url):
    response = superuser_client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize("url", ROUTES)
def test_a_nul_in_any_path_is_never_a_500(superuser_client, url):
    assert superuser_client.get(url).status_code == 400
    assert Client().get(url).status_code == 400


@pytest.mark.parametrize("url", [r for r in _routes() if "a%00b" not in r])
def test_a_nul_in_any_query_is_never_a_500(superuser_client, url):
    assert superuser_client.get(url + QUERY).status_code == 400


def test_a_nul_in_a_form_is_refused_by_the_form(client, owner):
    course = factories.make_curriculum()
    entry = factories.make_entry(course)
    client.force_login(owner)
    response = client.post(f"/entries/{entry.pk}/status", {"status": "do\x00ne"})
    assert response.status_code == 422


@pytest.mark.parametrize("url", ["/", "/healthz"])
def test_head_answers_like_get(client, url):
    assert client.head(url).status_code == 200


def test_a_server_error_shows_the_readlist_page():
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and "readlist.css" in html and "Traceback" not in html


@pytest.mark.parametrize(
    ("status", "heading"), [(404, "Page not found"), (400, "could not be read")]
)
def test_error_pages_are_in_the_house_style(client, status, heading):
    url = "/no/such/page/" if status == 404 else "/?q=%00"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == status
    assert heading in html and "readlist.css" in html


def test_the_sites_row_follows_site_url_after_migrate(settings):
    settings.SITE_URL = "https://readlist.example.org"
    call_command("migrate", verbosity=0)
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("readlist.example.org", "Readlist")


def test_emails_name_readlist_not_example_com(client, settings):
    settings.SITE_URL = "https://readlist.example.org"
    call_command("migrate", verbosity=0)
    factories.make_user("forgetful", email="forgetful@example.org")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[Readlist]")
    assert "example.com" not in mail.outbox[0].subject


def test_a_name_an_admin_chose_is_kept(settings):
    Site.objects.filter(pk=settings.SITE_ID).update(name="Our reading room")
    settings.SITE_URL = "https://readlist.example.org"
    call_command("migrate", verbosity=0)
    assert Site.objects.get(pk=settings.SITE_ID).name == "Our reading room"


def test_personal_pages_are_private_to_caches(client, owner):
    assert "private" not in client.get("/").get("Cache-Control", "")
    client.force_login(owner)
    for url in ("/", "/notes/"):
        assert "private" in client.get(url)["Cache-Control"]
    # A response that chose its own caching keeps it.
    request = RequestFactory().get("/")
    request.user = owner

    def chose(_request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=60"
        return response

    assert PrivateCacheMiddleware(chose)(request)["Cache-Control"] == "public, max-age=60"


def test_every_page_carries_the_content_security_policy(client, owner):
    client.force_login(owner)
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "img-src 'self' data:" in policy
    assert "unsafe-inline" not in policy.split("style-src-attr")[0]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_pages_hold_no_inline_script_or_unnonced_style(client, owner):
    """What the policy would block: every <script> has a src, every <style> the nonce."""
    course = factories.make_curriculum(slug="csp")
    entry = factories.make_entry(course)
    factories.make_note(owner, entry, "![pixel](https://tracker.example/p.gif)")
    client.force_login(owner)
    for url in ("/", "/notes/", f"/curricula/{course.slug}/", "/search/?q=x", "/no/such/"):
        response = client.get(url)
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), url
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        for tag in re.findall(r"<style[^>]*>", html):
            assert nonce and f'nonce="{nonce.group(1)}"' in tag, url
        assert not re.search(r"\son[a-z]+=", html), url
        assert "<img" not in html or 'tracker.example/p.gif"' not in html


def test_a_nul_in_a_note_sent_to_the_api_is_a_422_not_a_500():
    """The API has no Django form to refuse it: the service does, for every caller."""
    import json

    from api import services as api_services

    writer = factories.make_user("writer")
    entry = factories.make_entry(factories.make_curriculum())
    _, secret = api_services.token_create(actor=writer, name="t", scope="write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post(
        "/api/v1/me/notes",
        json.dumps({"entry_id": entry.pk, "body": "before\x00after"}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "NUL" in response.json()["detail"]
