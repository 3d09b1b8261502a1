import pytest
from django.urls import reverse


def test_healthz_answers_without_touching_the_database_or_broker(client, settings):
    # No django_db mark: any query here would fail the test.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.head(reverse("healthz")).status_code == 200


@pytest.mark.django_db
def test_readyz_reports_ok_when_database_answers(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_readyz_stays_ready_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["broker"] == "ConnectionError"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["healthz", "readyz"])
def test_probes_reject_post(client, name):
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.django_db
def test_healthz_reads_no_session_or_user_when_signed_in(client, django_assert_num_queries):
    """A liveness probe from a browser that is signed in (or a benchmark sending its cookie)
    still answers without the database: no middleware asks who is signed in for a JSON answer."""
    from tests import factories

    client.force_login(factories.make_user("probe"))
    with django_assert_num_queries(0):
        assert client.get(reverse("healthz")).status_code == 200
