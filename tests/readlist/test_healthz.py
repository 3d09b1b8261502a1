import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_reports_ok_when_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_rejects_post(client):
    assert client.post(reverse("healthz")).status_code == 405
