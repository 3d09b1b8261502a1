"""A resource that only retired entries list is history: not checked, never mailed as broken."""

from __future__ import annotations

import pytest
from django.core import mail

from curricula.linkhealth import selectors, services
from curricula.models import Revision
from tests import factories

pytestmark = pytest.mark.django_db


def _resources(health: str = "unknown"):
    curriculum = factories.make_curriculum(title="Training roles")
    other = factories.make_curriculum(title="Elicit")
    revision = Revision.objects.create(curriculum=curriculum, number=2, sha256="x", source_text="")
    retired = factories.make_resource("https://example.org/retired", health=health)
    factories.make_entry(curriculum, "Gone from the list", resource=retired, retired_in=revision)
    factories.make_entry(curriculum, "Gone twice", resource=retired, retired_in=revision)
    # Retired in one curriculum, still listed in another: still in use.
    shared = factories.make_resource("https://example.org/shared", health=health)
    factories.make_entry(curriculum, "Shared, retired here", resource=shared, retired_in=revision)
    factories.make_entry(other, "Shared, live there", resource=shared)
    live = factories.make_resource("https://example.org/live", health=health)
    factories.make_entry(curriculum, "Live", resource=live)
    return retired, shared, live


def test_retired_only_resources_are_not_due():
    retired, shared, live = _resources()
    due = selectors.resources_due(limit=100)
    assert retired.id not in due
    assert {shared.id, live.id} <= set(due)
    assert retired.id not in selectors.resources_due(limit=100, everything=True)


def test_retired_only_resources_are_never_mailed_as_broken(admin_user):
    _resources(health="broken")
    assert services.linkcheck_digest_send() == 2
    body = mail.outbox[0].body
    assert "https://example.org/shared" in body
    assert "https://example.org/live" in body
    assert "https://example.org/retired" not in body
    assert services.linkcheck_digest_send() == 0
