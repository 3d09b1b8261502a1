"""Invitations onboard: into a team with its role and assignments, named, pre-filled, used once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from notes.models import Enrollment, Invitation
from teams.models import Assignment, InvitationPlacement, Membership
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORDS = {"password1": "a long enough passphrase 42", "password2": "a long enough passphrase 42"}


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Sign-up is rate limited in the cache: an empty one per test."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "inv"}
    }
    from django.core.cache import cache

    cache.clear()


def _invite(admin_client, team, *, role="member", curricula=(), email="Carol@Example.org"):
    response = admin_client.post(
        "/admin/notes/invitation/add/",
        {
            "email": email,
            "placement-TOTAL_FORMS": "1",
            "placement-INITIAL_FORMS": "0",
            "placement-MIN_NUM_FORMS": "0",
            "placement-MAX_NUM_FORMS": "1",
            "placement-0-team": str(team.pk),
            "placement-0-role": role,
            "placement-0-curricula": [str(c.pk) for c in curricula],
            "placement-0-due_date": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Invitation.objects.get(email=email.lower())


def test_invitee_joins_the_team_with_its_role_and_assignments_and_lands_on_them(
    client, admin_user, team, assignment, course, mailoutbox
):
    extra = factories.make_curriculum(slug="extra", title="Extra reading")
    client.force_login(admin_user)
    invitation = _invite(client, team, curricula=[extra])
    assert invitation.placement.team == team and len(mailoutbox) == 1
    client.logout()

    client.get(f"/invitations/{invitation.token}/")
    page = client.get("/accounts/signup/").content.decode()
    assert 'value="carol@example.org"' in page
    assert 'name="first_name"' in page and 'name="last_name"' in page

    response = client.post(
        "/accounts/signup/",
        {"email": "carol@example.org", "first_name": "Carol", "last_name": "Smith", **PASSWORDS},
    )
    carol = get_user_model().objects.get(email="carol@example.org")
    assert carol.username == "carol.smith"
    assert (carol.first_name, carol.last_name) == ("Carol", "Smith")
    assert Membership.objects.get(team=team, user=carol).role == Membership.Role.MEMBER
    assigned = set(
        Enrollment.objects.filter(user=carol, source=Enrollment.Source.ASSIGNED).values_list(
            "curriculum__slug", flat=True
        )
    )
    assert assigned == {"course", "extra"}
    own = Assignment.objects.get(user=carol)
    assert own.curriculum == extra and own.made_in == team
    assert own.due_date == timezone.localdate() + dt.timedelta(weeks=12)
    assert response.status_code == 302 and response["Location"] == "/curricula/course/"
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_invited_manager_manages_and_reads_only_what_the_invitation_assigns(
    client, admin_user, team, assignment, course
):
    """Team assignments are for members (teams.services); a manager's own reading is the
    invitation's curricula."""
    extra = factories.make_curriculum(slug="extra", title="Extra reading")
    client.force_login(admin_user)
    invitation = _invite(client, team, role="manager", curricula=[extra])
    client.logout()
    client.get(f"/invitations/{invitation.token}/")
    response = client.post(
        "/accounts/signup/", {"email": "carol@example.org", "first_name": "Carol", **PASSWORDS}
    )
    carol = get_user_model().objects.get(email="carol@example.org")
    assert carol.username == "carol"
    assert Membership.objects.get(team=team, user=carol).role == Membership.Role.MANAGER
    slugs = set(Enrollment.objects.filter(user=carol).values_list("curriculum__slug", flat=True))
    assert slugs == {"extra"}
    assert response["Location"] == "/curricula/extra/"
    assert client.get("/teams/research/").status_code == 200


def test_invitation_link_works_once(client, team):
    invitation = Invitation.objects.create(email="dan@example.org")
    InvitationPlacement.objects.create(invitation=invitation, team=team)
    client.get(f"/invitations/{invitation.token}/")
    client.post("/accounts/signup/", {"email": "dan@example.org", "first_name": "Dan", **PASSWORDS})
    client.logout()
    response = client.get(f"/invitations/{invitation.token}/")
    assert response.status_code == 410
    assert "used already" in response.content.decode()
    assert Membership.objects.filter(team=team, user__email="dan@example.org").count() == 1


def test_expired_invitation_says_so_and_opens_no_sign_up(client, team, settings):
    settings.READLIST_INVITATION_DAYS = 14
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        invitation = Invitation.objects.create(email="eve@example.org")
    InvitationPlacement.objects.create(invitation=invitation, team=team)
    with time_machine.travel(dt.datetime(2026, 3, 15, 13, tzinfo=dt.UTC), tick=False):
        response = client.get(f"/invitations/{invitation.token}/")
        assert response.status_code == 410 and "expired" in response.content.decode()
        client.post(
            "/accounts/signup/", {"email": "eve@example.org", "first_name": "Eve", **PASSWORDS}
        )
    assert not get_user_model().objects.filter(email="eve@example.org").exists()
    assert not Membership.objects.filter(team=team).exclude(user__email__endswith="example.com")


def test_another_address_cannot_take_a_team_invitation(client, team):
    invitation = Invitation.objects.create(email="invited@example.org")
    InvitationPlacement.objects.create(invitation=invitation, team=team, role="manager")
    client.get(f"/invitations/{invitation.token}/")
    response = client.post(
        "/accounts/signup/",
        {"email": "intruder@example.org", "first_name": "In", **PASSWORDS},
    )
    assert "invitation only" in response.content.decode()
    assert not get_user_model().objects.filter(email="intruder@example.org").exists()
    assert not Membership.objects.filter(role="manager").exclude(user__username="boss").exists()


def test_username_is_readable_and_unique(client):
    factories.make_user("carol.smith")
    invitation = Invitation.objects.create(email="carol@example.org")
    client.get(f"/invitations/{invitation.token}/")
    response = client.post(
        "/accounts/signup/",
        {"email": "carol@example.org", "first_name": "Carol", "last_name": "Smith", **PASSWORDS},
    )
    assert get_user_model().objects.get(email="carol@example.org").username == "carol.smith2"
    # No team, no assignment: the ordinary home page.
    assert response["Location"] == "/"


@pytest.mark.parametrize("token", ["nope", "%00", "a%00b", "x" * 500])
def test_bad_tokens_get_a_clear_page(client, token):
    response = client.get(f"/invitations/{token}/")
    assert response.status_code in {400, 404}
    assert response.status_code != 500


def test_only_admins_invite_into_teams(client, member, manager, team):
    for person in (member, manager):
        client.force_login(person)
        response = client.post(
            "/admin/notes/invitation/add/",
            {"email": "x@example.org", "placement-TOTAL_FORMS": "1", "placement-0-team": team.pk},
        )
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Invitation.objects.exists()


FROZEN = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)


@time_machine.travel(FROZEN, tick=False)
def test_invitation_email_names_the_team_the_inviter_and_the_reading(
    client, admin_user, team, manager, course, mailoutbox
):
    """The email is sent after the placement is saved (it used to go out before, naming no
    team): the team, the role, who invited, and each curriculum with its due date."""
    from teams import services

    admin_user.first_name, admin_user.last_name = "Rita", "Root"
    admin_user.save()
    services.assignment_create(
        actor=manager,
        team=team,
        curriculum=course,
        start_date=dt.date(2026, 12, 1),
        due_date=dt.date(2027, 1, 15),
    )
    extra = factories.make_curriculum(slug="extra", title="Extra reading")
    client.force_login(admin_user)
    _invite(client, team, curricula=[extra])
    (mail,) = mailoutbox
    html = mail.alternatives[0][0]
    assert mail.subject == "Rita Root invites you to join Research on Readlist"
    for text in (mail.body, html):
        assert "Rita Root has invited you" in text
        assert "to join Research as a member" in text.replace("<strong>", "").replace(
            "</strong>", ""
        )
        assert "Course, due 15 Jan 2027" in text
        assert "Extra reading, due 12 weeks after you sign up" in text


@time_machine.travel(FROZEN, tick=False)
def test_invited_manager_email_lists_only_their_own_reading(
    client, admin_user, team, assignment, mailoutbox
):
    extra = factories.make_curriculum(slug="extra", title="Extra reading")
    client.force_login(admin_user)
    _invite(client, team, role="manager", curricula=[extra])
    body = mailoutbox[0].body
    assert "join Research as a manager" in body
    assert "Extra reading" in body and "Course" not in body


def test_invitation_sent_again_still_names_who_invited(client, admin_user, team, mailoutbox):
    invitation = Invitation.objects.create(email="dan@example.org", invited_by=admin_user)
    InvitationPlacement.objects.create(invitation=invitation, team=team)
    other = factories.make_user("other", is_staff=True, is_superuser=True, first_name="Olga")
    client.force_login(other)
    response = client.post(
        "/admin/notes/invitation/",
        {"action": "send_again", "_selected_action": [str(invitation.pk)]},
    )
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert "root has invited you" in mail.body and "Olga" not in mail.body
    assert "join Research as a member" in mail.body


def test_invitation_without_a_team_says_nothing_of_one(client, admin_user, mailoutbox):
    client.force_login(admin_user)
    response = client.post(
        "/admin/notes/invitation/add/",
        {
            "email": "solo@example.org",
            "placement-TOTAL_FORMS": "0",
            "placement-INITIAL_FORMS": "0",
            "placement-MIN_NUM_FORMS": "0",
            "placement-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.subject == "You are invited to Readlist"
    assert "join" not in mail.body and "assigned" not in mail.body
