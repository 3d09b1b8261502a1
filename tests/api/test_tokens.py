"""Personal access tokens: made and revoked on the settings page, shown once, stored hashed,
scoped, last use recorded; the session works too, with CSRF; a rate limit per token."""

from __future__ import annotations

import json
import re

import time_machine
from django.test import Client

from api.models import ApiToken
from tests.api.conftest import bearer, session


def _make(client: Client, name: str = "laptop", scope: str = "read") -> str:
    response = client.post("/settings/tokens/", {"name": name, "scope": scope})
    assert response.status_code == 201
    return re.search(r'value="(rl_[^"]+)"', response.content.decode()).group(1)


def test_settings_page_links_to_tokens_and_calendar(world):
    page = session(world.owner).get("/digest/").content.decode()
    assert 'href="/settings/tokens/"' in page and 'href="/settings/calendar/"' in page


def test_token_is_shown_once_and_stored_hashed(world):
    client = Client()
    client.force_login(world.owner)
    secret = _make(client, "laptop", "read")

    token = ApiToken.objects.get(user=world.owner)
    assert token.scope == "read" and secret.startswith(token.prefix)
    assert secret not in token.digest and len(token.digest) == 64
    listing = client.get("/settings/tokens/").content.decode()
    assert token.prefix in listing and "laptop" in listing
    assert secret not in listing  # never again
    assert "never" in listing  # not used yet


def test_token_use_is_recorded_and_revoke_stops_it(world):
    client = Client()
    client.force_login(world.owner)
    secret = _make(client)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    with time_machine.travel("2026-05-06 07:08:00+00:00", tick=False):
        assert api.get("/api/v1/curricula").status_code == 200
    token = ApiToken.objects.get(user=world.owner)
    assert token.last_used_at.isoformat() == "2026-05-06T07:08:00+00:00"
    assert "2026-05-06 07:08" in client.get("/settings/tokens/").content.decode()

    assert client.post(f"/settings/tokens/{token.pk}/revoke").status_code == 302
    response = api.get("/api/v1/curricula")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_cannot_revoke_someone_elses_token(world):
    client = Client()
    client.force_login(world.owner)
    _make(client)
    token = ApiToken.objects.get(user=world.owner)
    other = Client()
    other.force_login(world.outsider)
    assert other.post(f"/settings/tokens/{token.pk}/revoke").status_code == 404
    assert other.get(f"/settings/tokens/{token.pk}/revoke").status_code == 405
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_bad_token_form_is_422_and_pages_need_sign_in(world):
    client = Client()
    client.force_login(world.owner)
    assert client.post("/settings/tokens/", {"name": "", "scope": "admin"}).status_code == 422
    assert not ApiToken.objects.exists()
    assert Client().get("/settings/tokens/").status_code == 302


def test_inactive_users_tokens_stop_working(world):
    api = bearer(world.owner)
    world.owner.is_active = False
    world.owner.save()
    assert api.get("/api/v1/curricula").status_code == 401


def test_session_auth_needs_csrf_for_writes(world):
    client = session(world.owner)
    url = f"/api/v1/me/progress/{world.entries[0].pk}"
    body = json.dumps({"status": "reading"})
    assert client.get("/api/v1/me/enrolments").status_code == 200
    refused = client.put(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    client.get("/settings/tokens/")  # sets the CSRF cookie, as any page does
    csrf = client.cookies["csrftoken"].value
    ok = client.put(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert ok.status_code == 200 and ok.json()["status"] == "reading"


def test_rate_limit_is_per_token(world, settings):
    settings.READLIST_API_RATE_LIMIT = "3/m"
    first = bearer(world.owner)
    second = bearer(world.owner)
    for _ in range(3):
        assert first.get("/api/v1/curricula").status_code == 200
    limited = first.get("/api/v1/curricula")
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/problem+json"
    assert int(limited["Retry-After"]) > 0
    # Another token of the same person has its own budget.
    assert second.get("/api/v1/curricula").status_code == 200


def test_token_writes_need_no_csrf(world):
    from api import services

    _, secret = services.token_create(actor=world.owner, name="script", scope="write")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.put(
        f"/api/v1/me/progress/{world.entries[0].pk}",
        json.dumps({"status": "done"}),
        content_type="application/json",
    )
    assert response.status_code == 200
