"""The link-health admin page, resource filters and actions, and the one-click suggestion."""

from __future__ import annotations

import pytest
from django.urls import reverse

from curricula.models import CheckRun, Entry, Resource, TitleCheck
from readlist.celery import app
from tests import factories

GOPHER = "Scaling Language Models: Methods, Analysis & Insights from Training Gopher"
OPT = "OPT: Open Pre-trained Transformer Language Models"
PAGE = reverse("admin:curricula_resource_linkhealth")


def _flagged_entry(curriculum=None):
    curriculum = curriculum or factories.make_curriculum(title="Elicit")
    gopher = factories.make_resource(
        f"https://arxiv.org/abs/2112.{factories._seq.__next__():05d}",
        title=GOPHER,
        arxiv_status="found",
        verification="mismatch",
    )
    entry = factories.make_entry(curriculum, OPT, resource=gopher)
    TitleCheck.objects.create(
        entry=entry,
        status="mismatch",
        source="arxiv",
        score=0.31,
        curated_title=OPT,
        real_title=GOPHER,
        suggestions=[{"arxiv_id": "2205.01068", "title": OPT, "score": 1.0}],
    )
    return entry


@pytest.mark.django_db
def test_admin_sees_counts_runs_and_flags(client, admin_user):
    factories.make_resource(health="broken", moved_to="")
    factories.make_resource(health="ok")
    _flagged_entry()
    CheckRun.objects.create(
        inconclusive=False, note="0 of 2 checks failed at network level", counts={"ok": 2}
    )
    CheckRun.objects.update(finished_at="2026-11-20T10:00Z")
    client.force_login(admin_user)
    response = client.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Links by outcome" in body
    assert OPT in body and "Insights from Training Gopher" in body
    assert "Use 2205.01068" in body
    assert "0 of 2 checks failed" in body
    assert "Checker offline" not in body


@pytest.mark.django_db
def test_page_says_checker_offline_since(client, admin_user):
    CheckRun.objects.create(inconclusive=True, note="Checker offline: no canary answered")
    CheckRun.objects.update(finished_at="2026-11-20T10:00Z")
    client.force_login(admin_user)
    body = client.get(PAGE).content.decode()
    assert "Checker offline since" in body
    assert "inconclusive" in body


@pytest.mark.django_db
def test_member_and_anonymous_cannot_see_the_page(client, member):
    assert client.get(PAGE).status_code == 302
    client.force_login(member)
    assert client.get(PAGE).status_code == 302


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_flags(client, admin_user, django_assert_max_num_queries):
    curriculum = factories.make_curriculum()
    for _ in range(25):
        _flagged_entry(curriculum)
    client.force_login(admin_user)
    with django_assert_max_num_queries(20):
        response = client.get(PAGE)
    assert response.content.decode().count("Use 2205.01068") == 25


@pytest.mark.django_db
def test_accept_in_one_click_moves_the_entry(client, admin_user, settings):
    settings.READLIST_ENQUEUE_NEW_RESOURCES = False
    entry = _flagged_entry()
    client.force_login(admin_user)
    url = reverse("admin:curricula_resource_linkhealth_accept", args=[entry.id])
    response = client.post(url, {"arxiv_id": "2205.01068"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.resource.url == "https://arxiv.org/abs/2205.01068"


@pytest.mark.django_db
@pytest.mark.parametrize("choice", ["follow", "stay"])
def test_accept_lets_the_admin_say_whether_peoples_work_follows(
    client, admin_user, member, settings, choice
):
    from notes.models import Activity, Progress

    settings.READLIST_ENQUEUE_NEW_RESOURCES = False
    entry = _flagged_entry()
    old = entry.resource_id
    Progress.objects.create(
        user=member, resource_id=old, status="done", updated_at="2026-11-20T10:00Z"
    )
    client.force_login(admin_user)
    url = reverse("admin:curricula_resource_linkhealth_accept", args=[entry.id])
    response = client.post(url, {"arxiv_id": "2205.01068", "follow": choice}, follow=True)
    entry.refresh_from_db()
    on_new = Progress.objects.filter(user=member, resource_id=entry.resource_id).exists()
    assert on_new is (choice == "follow")
    assert Progress.objects.filter(user=member, resource_id=old).exists() is (choice == "stay")
    assert Activity.objects.get(user=member, verb="entry_moved").detail["follow"] is (
        choice == "follow"
    )
    said = "moved with it" if choice == "follow" else "stayed on the old link"
    assert said in response.content.decode()


@pytest.mark.django_db
def test_page_shows_the_evidence_and_descriptive_labels_quietly(client, admin_user):
    entry = _flagged_entry()
    TitleCheck.objects.filter(entry=entry).update(evidence=["no overlap with title or abstract"])
    quiet = factories.make_entry(entry.curriculum, "GRPO", resource=entry.resource)
    TitleCheck.objects.create(
        entry=quiet,
        status="descriptive",
        curated_title="GRPO",
        real_title="DeepSeekMath",
        evidence=["'GRPO' is defined in the abstract as Group Relative Policy Optimization"],
    )
    client.force_login(admin_user)
    body = client.get(PAGE).content.decode()
    assert "no overlap with title or abstract" in body
    assert "Right paper, descriptive label (1): not flagged" in body
    assert "defined in the abstract as Group Relative Policy Optimization" in body
    assert "Wrong paper? (1)" in body


@pytest.mark.django_db
def test_accept_refuses_an_id_that_was_not_suggested(client, admin_user):
    entry = _flagged_entry()
    old = entry.resource_id
    client.force_login(admin_user)
    url = reverse("admin:curricula_resource_linkhealth_accept", args=[entry.id])
    response = client.post(url, {"arxiv_id": "6666.66666"}, follow=True)
    assert "not one of this entry" in response.content.decode()
    entry.refresh_from_db()
    assert entry.resource_id == old


@pytest.mark.django_db
def test_ignore_button(client, admin_user):
    entry = _flagged_entry()
    client.force_login(admin_user)
    url = reverse("admin:curricula_resource_linkhealth_accept", args=[entry.id])
    client.post(url, {"action": "ignore"})
    assert TitleCheck.objects.get(entry=entry).status == "ignored"
    assert Resource.objects.get(id=entry.resource_id).verification == "ignored"


@pytest.mark.django_db
def test_accept_wrong_method_bad_id_and_member(client, admin_user, member):
    entry = _flagged_entry()
    url = reverse("admin:curricula_resource_linkhealth_accept", args=[entry.id])
    client.force_login(member)
    assert client.post(url, {"arxiv_id": "2205.01068"}).status_code == 302  # to the login
    client.force_login(admin_user)
    assert client.get(url).status_code == 405
    missing = reverse("admin:curricula_resource_linkhealth_accept", args=[999999])
    assert client.post(missing, {"arxiv_id": "2205.01068"}).status_code == 404
    entry.refresh_from_db()
    assert entry.resource.title == GOPHER


@pytest.mark.django_db
def test_resource_filters(client, admin_user):
    never = factories.make_resource()
    checked = factories.make_resource(last_checked_at="2026-11-01T00:00Z")
    flagged = _flagged_entry().resource
    client.force_login(admin_user)
    changelist = reverse("admin:curricula_resource_changelist")
    body = client.get(changelist, {"checked": "never"}).content.decode()
    assert never.url in body and checked.url not in body
    body = client.get(changelist, {"wrong_paper": "suggested"}).content.decode()
    assert flagged.url in body and never.url not in body
    assert "Link health" in client.get(changelist).content.decode()


@pytest.mark.django_db(transaction=True)
def test_actions_accept_ignore_and_check_now(client, admin_user, fast_checker, httpserver):
    httpserver.expect_request("/p").respond_with_data("<title>P</title>", content_type="text/html")
    page = factories.make_resource(httpserver.url_for("/p"))
    entry = _flagged_entry()
    client.force_login(admin_user)
    changelist = reverse("admin:curricula_resource_changelist")
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        client.post(changelist, {"action": "check_now", "_selected_action": [page.id]})
    finally:
        app.conf.task_always_eager = previous
    page.refresh_from_db()
    assert page.health == "ok"
    client.post(
        changelist, {"action": "accept_suggestion", "_selected_action": [entry.resource_id]}
    )
    assert Entry.objects.get(id=entry.id).resource.url == "https://arxiv.org/abs/2205.01068"


@pytest.mark.django_db
def test_a_row_flagged_only_for_being_listed_twice_says_so_not_its_matching_evidence(
    client, admin_user
):
    """The Gopher label on the Gopher paper is right; the row is there because the same link is
    also listed as OPT. Its "title similarity 1.00" would read as a reason to flag it."""
    entry = _flagged_entry()
    right = factories.make_entry(entry.curriculum, GOPHER, resource=entry.resource)
    TitleCheck.objects.create(
        entry=right,
        status="ok",
        source="arxiv",
        score=1.0,
        curated_title=GOPHER,
        real_title=GOPHER,
        conflict_title=OPT,
        evidence=["title similarity 1.00"],
    )
    client.force_login(admin_user)
    body = client.get(PAGE).content.decode()
    assert "Wrong paper? (2)" in body
    assert "listed twice: the same link is in this curriculum under another title" in body
    assert "title similarity 1.00" not in body
    assert f"{GOPHER} <small>(arXiv metadata)</small>" in body.replace("&amp;", "&")
