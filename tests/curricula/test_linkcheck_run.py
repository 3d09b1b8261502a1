"""A check run in the database: the 3-strikes rule, the outage breaker, claims, the digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from curricula.linkhealth import selectors, services
from curricula.models import CheckRun, LinkCheck, Resource
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def _age_checks(resource: Resource, hours: list[float]) -> None:
    """Spread a resource's checks into the past, newest first."""
    checks = list(LinkCheck.objects.filter(resource=resource).order_by("-checked_at", "-id"))
    for check, age in zip(checks, hours, strict=False):
        LinkCheck.objects.filter(id=check.id).update(
            checked_at=timezone.now() - timedelta(hours=age)
        )


def test_run_records_outcomes_and_page_title(fast_checker, httpserver):
    httpserver.expect_request("/a").respond_with_data(
        "<title>A page</title>", content_type="text/html"
    )
    resource = factories.make_resource(httpserver.url_for("/a"))
    run = services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert not run.inconclusive
    assert run.counts["ok"] == 1
    assert resource.health == "ok"
    assert resource.page_title == "A page"
    assert resource.next_check_at > timezone.now() + timedelta(days=6)
    assert LinkCheck.objects.get(resource=resource).run == run


def test_broken_only_after_three_strikes_over_48_hours(fast_checker, httpserver):
    httpserver.expect_request("/dead").respond_with_data("", status=404)
    resource = factories.make_resource(httpserver.url_for("/dead"))
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health != "broken"
    assert resource.next_check_at < timezone.now() + timedelta(days=2)
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health != "broken"  # two strikes
    _age_checks(resource, [1, 30])
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health != "broken"  # three strikes but only 30 hours apart
    _age_checks(resource, [24, 49, 60])
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health == "broken"
    assert resource.health_changed_at is not None


def test_one_good_result_resets_the_streak(fast_checker, httpserver):
    state = {"status": 404}

    def handler(request):
        from werkzeug.wrappers import Response

        return Response("x", status=state["status"])

    httpserver.expect_request("/flaky").respond_with_handler(handler)
    resource = factories.make_resource(httpserver.url_for("/flaky"))
    for _ in range(2):
        services.linkcheck_run(resource_ids=[resource.id])
    state["status"] = 200
    services.linkcheck_run(resource_ids=[resource.id])
    state["status"] = 404
    services.linkcheck_run(resource_ids=[resource.id])
    _age_checks(resource, [0, 50, 60, 70])
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    # broken, broken, ok, broken, broken: never three in a row
    assert resource.health != "broken"


def test_network_cut_makes_the_run_inconclusive_and_changes_nothing(fast_checker, settings):
    # Canaries on a closed local port: the checker itself is cut off.
    settings.READLIST_LINKCHECK_CANARIES = ["http://127.0.0.1:9/", "http://127.0.0.1:7/"]
    resource = factories.make_resource("http://127.0.0.1:9/paper", health="ok")
    run = services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert run.inconclusive
    assert "offline" in run.note.lower()
    assert resource.health == "ok"
    assert resource.last_checked_at is None
    assert not LinkCheck.objects.exists()
    assert selectors.checker_offline_since() == run.started_at


def test_everything_failing_at_network_level_is_inconclusive_even_with_canaries_up(
    fast_checker, settings
):
    settings.READLIST_LINKCHECK_OFFLINE_MIN = 3
    ids = [
        factories.make_resource(f"http://no-such-host-{i}.invalid/x", health="ok").id
        for i in range(4)
    ]
    run = services.linkcheck_run(resource_ids=ids)
    assert run.inconclusive
    assert set(Resource.objects.filter(id__in=ids).values_list("health", flat=True)) == {"ok"}


def test_no_internet_and_default_canaries_never_marks_broken(fetch_local, settings):
    # What `make run` does on a machine with no network: the real canaries are unreachable.
    settings.READLIST_LINKCHECK_CANARIES = ["https://canary.invalid/"]
    resource = factories.make_resource("https://example.invalid/paper", health="ok")
    for _ in range(4):
        run = services.linkcheck_run(resource_ids=[resource.id])
        assert run.inconclusive
    resource.refresh_from_db()
    assert resource.health == "ok"


def test_offline_since_clears_after_a_conclusive_run(fast_checker, httpserver, settings):
    httpserver.expect_request("/a").respond_with_data("fine")
    resource = factories.make_resource(httpserver.url_for("/a"))
    canary = settings.READLIST_LINKCHECK_CANARIES
    settings.READLIST_LINKCHECK_CANARIES = ["http://127.0.0.1:9/"]
    first = services.linkcheck_run(resource_ids=[resource.id])
    services.linkcheck_run(resource_ids=[resource.id])
    assert selectors.checker_offline_since() == first.started_at
    settings.READLIST_LINKCHECK_CANARIES = canary
    services.linkcheck_run(resource_ids=[resource.id])
    assert selectors.checker_offline_since() is None


def test_claimed_resources_are_skipped_by_a_second_worker(fast_checker, httpserver):
    httpserver.expect_request("/a").respond_with_data("fine")
    resource = factories.make_resource(httpserver.url_for("/a"))
    token, claimed = services.resources_claim([resource.id], field="check")
    assert claimed == [resource.id]
    run = services.linkcheck_run(resource_ids=[resource.id])
    assert run.counts == {"newly_broken": 0}
    assert [e[0].path for e in httpserver.log] == ["/canary"]
    services.resources_release(token, field="check")
    assert services.resources_claim([resource.id], field="check")[1] == [resource.id]


def test_deferred_host_reschedules_its_resources(fast_checker, httpserver):
    httpserver.expect_request("/one").respond_with_data(
        "", status=429, headers={"Retry-After": "600"}
    )
    first = factories.make_resource(f"http://localhost:{httpserver.port}/one")
    second = factories.make_resource(f"http://localhost:{httpserver.port}/two")
    services.linkcheck_run(resource_ids=[first.id, second.id], limit=1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.health == "blocked"
    assert second.last_checked_at is None
    assert second.next_check_at > timezone.now() + timedelta(minutes=9)


def test_moved_link_offers_the_new_url_and_admin_can_accept(fast_checker, httpserver, admin_user):
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data("here")
    resource = factories.make_resource(httpserver.url_for("/old"))
    services.linkcheck_run(resource_ids=[resource.id])
    resource.refresh_from_db()
    assert resource.health == "moved"
    assert resource.moved_to.endswith("/new")
    assert services.resource_accept_move(actor=admin_user, resource=resource)
    resource.refresh_from_db()
    assert resource.url.endswith("/new")


def test_digest_mails_newly_broken_links_once(fast_checker, admin_user):
    resource = factories.make_resource("https://example.org/dead", health="broken")
    curriculum = factories.make_curriculum(title="Training roles")
    factories.make_entry(curriculum, "A dead paper", resource=resource)
    assert services.linkcheck_digest_send() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert admin_user.email in message.to
    assert "https://example.org/dead" in message.body
    assert "A dead paper" in message.body
    assert services.linkcheck_digest_send() == 0
    assert len(mail.outbox) == 1


def test_resources_due_are_stalest_first_and_bounded():
    now = timezone.now()
    old = factories.make_resource(last_checked_at=now - timedelta(days=9), next_check_at=now)
    never = factories.make_resource()
    factories.make_resource(last_checked_at=now, next_check_at=now + timedelta(days=7))
    assert selectors.resources_due(limit=10) == [never.id, old.id]
    assert selectors.resources_due(limit=1) == [never.id]


def test_check_run_rows_are_created_per_run(fast_checker, httpserver):
    httpserver.expect_request("/a").respond_with_data("fine")
    resource = factories.make_resource(httpserver.url_for("/a"))
    services.linkcheck_run(resource_ids=[resource.id], trigger="manual")
    assert CheckRun.objects.get().trigger == "manual"
