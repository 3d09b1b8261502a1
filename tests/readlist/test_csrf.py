"""readlist.csrf: a page carries one masked CSRF token wherever it needs one (the layout's
htmx header, its forms, the Jinja2 body), a new mask in every response, and it is accepted."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

TOKENS = re.compile(r'(?:csrfmiddlewaretoken" value="|"X-CSRFToken": ")([A-Za-z0-9]{64})')


def test_one_token_per_page_a_new_mask_per_response_and_it_is_accepted(owner):
    curriculum = factories.make_curriculum(slug="csrf-list")
    factories.make_entry(curriculum, "Only entry", tier=factories.make_tier(curriculum, 1))
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    html = client.get("/curricula/csrf-list/").content.decode()
    tokens = TOKENS.findall(html)
    # base.html's header and sign-out form, the body's follow and status forms
    assert len(tokens) >= 4 and len(set(tokens)) == 1
    again = TOKENS.findall(client.get("/curricula/csrf-list/").content.decode())
    assert set(again) != set(tokens)
    refused = client.post("/curricula/csrf-list/follow")
    assert refused.status_code == 403
    followed = client.post("/curricula/csrf-list/follow", {"csrfmiddlewaretoken": tokens[0]})
    assert followed.status_code == 302
    assert owner.enrollments.filter(curriculum=curriculum).exists()


def test_home_carries_one_token_too(owner):
    factories.make_curriculum(slug="not-followed")  # home offers to follow it: a form
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    tokens = TOKENS.findall(client.get("/").content.decode())
    assert len(tokens) >= 3 and len(set(tokens)) == 1
