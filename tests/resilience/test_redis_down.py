"""Redis stopped: sign-in, the admin import preview and "Check links now" keep working."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from curricula.models import Curriculum, Resource
from readlist.celery import app
from tests import factories
from tests.curricula.test_admin_import import preview, token_of

LOGIN = "/accounts/login/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings, own_redis, tmp_path):
    """The production cache settings, pointed at the test's own Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "readlist.cache.ResilientRedisCache",
            "LOCATION": own_redis.url,
            "FALLBACK_LOCATION": str(tmp_path / "fallback-cache"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    return own_redis


@pytest.fixture
def broker(own_redis):
    """Celery publishes to the test's own Redis (fresh connection pools, restored afterwards)."""
    previous = app.conf.broker_url

    def point_at(url: str) -> None:
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    point_at(own_redis.url)
    try:
        yield own_redis
    finally:
        point_at(previous)


PASSWORD = "correct horse battery staple"  # tests/factories.py


def sign_in(client, user, password=PASSWORD):
    return client.post(LOGIN, {"login": user.username, "password": password})


def test_sign_in_works_with_redis_stopped(client, redis_cache):
    user = factories.make_user("ada")
    assert sign_in(client, user).status_code == 302
    client.logout()
    redis_cache.stop()
    response = sign_in(client, user)
    assert response.status_code == 302 and response.url == "/"


def test_failed_sign_ins_still_count_with_redis_stopped(client, redis_cache, caplog):
    user = factories.make_user("ada")
    redis_cache.stop()
    for _ in range(5):
        page = sign_in(client, user, "wrong")
        assert page.status_code == 200 and b"too many" not in page.content.lower()
    blocked = sign_in(client, user, "wrong")
    assert b"too many failed login attempts" in blocked.content.lower()
    assert "Redis cache unavailable" in caplog.text


def test_check_links_now_with_the_broker_stopped_keeps_the_request(
    client, admin_user, broker, caplog
):
    later = timezone.now() + timedelta(days=6)
    resource = factories.make_resource(next_check_at=later)
    client.force_login(admin_user)
    broker.stop()
    response = client.post(
        "/admin/curricula/resource/", {"action": "check_now", "_selected_action": [resource.id]}
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.next_check_at <= timezone.now()
    page = client.get(response.url).content.decode()
    assert "task queue is unavailable" in page
    assert "Could not queue curricula.tasks.check_links" in caplog.text


def test_import_preview_and_confirm_with_redis_stopped(
    client, admin_user, redis_cache, broker, settings
):
    settings.READLIST_ENQUEUE_NEW_RESOURCES = True
    client.force_login(admin_user)
    redis_cache.stop()
    shown = preview(client)
    assert shown.status_code == 200
    done = client.post(
        "/admin/curricula/curriculum/import/", {"token": token_of(shown), "action": "confirm"}
    )
    assert done.status_code == 302
    curriculum = Curriculum.objects.get(slug="elicit")
    # Nothing could be queued, so the new resources wait for the scheduled stale-first pass.
    assert Resource.objects.filter(entries__curriculum=curriculum, last_checked_at=None).exists()


def test_readyz_reports_the_broker_but_stays_ready(client, settings, own_redis):
    previous = settings.REDIS_URL
    settings.REDIS_URL = own_redis.url
    try:
        assert client.get("/readyz").json()["broker"] == "ok"
        own_redis.stop()
        response = client.get("/readyz")
    finally:
        # Put it back before the shared key-cleaning fixture tears down against it.
        settings.REDIS_URL = previous
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ConnectionError"
    assert client.get("/healthz").status_code == 200
