"""Changing my status: htmx in place, plain POST with a redirect, CSRF, bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from notes.models import Activity, Progress

pytestmark = pytest.mark.django_db


def url(entry):
    return f"/entries/{entry.pk}/status"


def test_plain_post_sets_status_and_returns_to_the_list(client, owner, entries):
    client.force_login(owner)
    response = client.post(
        url(entries[0]), {"status": "done", "next": "/curricula/mini/?remaining=on"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/curricula/mini/?remaining=on#entry-{entries[0].pk}"
    assert Progress.objects.get(user=owner).status == "done"


def test_an_offsite_next_is_ignored(client, owner, entries):
    client.force_login(owner)
    response = client.post(url(entries[0]), {"status": "done", "next": "https://evil.example/"})
    assert response["Location"].startswith(f"/curricula/mini/entries/{entries[0].pk}/")


SET = "/entries/status"


def test_the_list_has_one_status_form_and_rows_carry_only_id_and_status(client, owner, entries):
    client.force_login(owner)
    html = client.get("/curricula/mini/").content.decode()
    # Search, sign out, follow, filters and the status form, however many rows.
    assert html.count("<form") == 5 and html.count('name="csrfmiddlewaretoken"') == 3
    assert html.count('<form id="status-form" method="post" action="/entries/status"') == 1
    row = html[html.index(f'id="entry-{entries[0].pk}"') :]
    row = row[: row.index("</li>")]
    assert "<form" not in row and "csrf" not in row
    assert f'form="status-form" name="set" value="{entries[0].pk}:done"' in row


def test_htmx_returns_the_row_and_the_tier_progress(client, owner, entries):
    client.force_login(owner)
    response = client.post(
        SET, {"set": f"{entries[0].pk}:done", "context": "curriculum"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#entry-{entries[0].pk}"
    assert f'value="{entries[0].pk}:done" aria-pressed="true"' in html
    assert 'id="progress-tier-' in html and 'hx-swap-oob="true"' in html
    assert "✓ a core source read" in html
    assert f'<li class="entry status-done" id="entry-{entries[0].pk}">' in html
    assert 'id="status-counts" hx-swap-oob="true">1 of' in html
    assert Progress.objects.get(user=owner).status == "done"


def test_the_one_form_works_without_javascript(client, owner, entries):
    client.force_login(owner)
    response = client.post(
        SET, {"set": f"{entries[0].pk}:reading", "next": "/curricula/mini/?remaining=on"}
    )
    assert response["Location"] == f"/curricula/mini/?remaining=on#entry-{entries[0].pk}"
    assert Progress.objects.get(user=owner).status == "reading"


def test_the_one_form_refuses_bad_input(client, owner, entries):
    client.force_login(owner)
    assert client.post(SET, {"set": "nonsense"}).status_code == 404
    assert client.post(SET, {"set": "999999:done"}).status_code == 404
    assert client.post(SET, {}).status_code == 404
    response = client.post(SET, {"set": f"{entries[0].pk}:finished"})
    assert response.status_code == 422 and "Choose one of" in response.content.decode()
    response = client.post(
        SET,
        {"set": f"{entries[0].pk}:finished", "context": "curriculum"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422 and response["HX-Retarget"] == f"#entry-{entries[0].pk}"
    assert "Choose one of" in response.content.decode()
    assert client.get(SET).status_code == 405
    assert not Progress.objects.exists()


def test_htmx_on_the_entry_page_swaps_only_the_control(client, owner, entries):
    client.force_login(owner)
    html = client.post(
        url(entries[0]), {"status": "reading"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert html.lstrip().startswith(f'<form id="status-{entries[0].pk}"')
    assert 'value="reading" aria-pressed="true"' in html and "<li" not in html


def test_unknown_status_is_422_and_changes_nothing(client, owner, entries):
    client.force_login(owner)
    response = client.post(url(entries[0]), {"status": "finished"})
    assert response.status_code == 422 and "Choose one of" in response.content.decode()
    response = client.post(url(entries[0]), {"status": "finished"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert not Progress.objects.exists() and not Activity.objects.exists()


def test_outsider_wrong_method_and_bad_id(client, owner, entries):
    assert client.post(url(entries[0]), {"status": "done"}).status_code == 302  # to sign-in
    assert not Progress.objects.exists()
    client.force_login(owner)
    assert client.get(url(entries[0])).status_code == 405
    assert client.post("/entries/999999/status", {"status": "done"}).status_code == 404


def test_members_statuses_are_their_own(client, owner, member, entries):
    client.force_login(owner)
    client.post(url(entries[0]), {"status": "done"})
    client.force_login(member)
    html = client.get("/curricula/mini/").content.decode()
    assert f'value="{entries[0].pk}:done" aria-pressed="false"' in html
    assert f'value="{entries[0].pk}:done" aria-pressed="true"' not in html


def test_htmx_post_without_csrf_token_is_refused(owner, entries):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(owner)
    response = csrf_client.post(url(entries[0]), {"status": "done"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert not Progress.objects.exists()


def test_htmx_post_with_the_header_token_is_accepted(owner, entries):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(owner)
    csrf_client.get("/curricula/mini/")
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        url(entries[0]), {"status": "done"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    assert Progress.objects.get(user=owner).status == "done"


def test_retired_entries_cannot_change(client, owner, entries):
    from curricula.models import Revision

    revision = Revision.objects.create(
        curriculum=entries[0].curriculum, number=2, sha256="x", source_text=""
    )
    entries[0].retired_in = revision
    entries[0].save()
    client.force_login(owner)
    assert client.post(url(entries[0]), {"status": "done"}).status_code == 404
