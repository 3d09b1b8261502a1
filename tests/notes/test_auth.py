"""Invite-only sign-up, allowed domains, sign-in and its rate limit."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from notes.models import Invitation

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "New",
    "last_name": "Person",
    "password1": "a long enough passphrase 42",
    "password2": "a long enough passphrase 42",
}


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Rate limits live in the cache: give each test an empty one of its own."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "auth"}
    }
    from django.core.cache import cache

    cache.clear()


def test_sign_up_is_closed_by_default(client):
    response = client.get("/accounts/signup/")
    assert "Sign-up is by invitation" in response.content.decode()
    client.post("/accounts/signup/", {"email": "x@example.org", **SIGNUP})
    assert not get_user_model().objects.exists()


def test_invited_address_signs_up_through_the_emailed_link(client, admin_user, mailoutbox):
    client.force_login(admin_user)
    # An invitation into no team: the team part (teams/admin.py) is left empty.
    no_team = {
        "placement-TOTAL_FORMS": 1,
        "placement-INITIAL_FORMS": 0,
        "placement-0-role": "member",
    }
    client.post("/admin/notes/invitation/add/", {"email": "New@Example.org", **no_team})
    invitation = Invitation.objects.get()
    assert invitation.email == "new@example.org"
    assert len(mailoutbox) == 1 and f"/invitations/{invitation.token}/" in mailoutbox[0].body
    client.logout()
    response = client.get(f"/invitations/{invitation.token}/")
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/"
    client.post("/accounts/signup/", {"email": "new@example.org", **SIGNUP})
    assert get_user_model().objects.filter(email="new@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_another_address_cannot_use_someone_elses_invitation(client):
    invitation = Invitation.objects.create(email="invited@example.org")
    client.get(f"/invitations/{invitation.token}/")
    response = client.post("/accounts/signup/", {"email": "intruder@example.org", **SIGNUP})
    assert "invitation only" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_invited_address_without_the_link_needs_mandatory_verification(client, settings):
    Invitation.objects.create(email="invited@example.org")
    client.post("/accounts/signup/", {"email": "invited@example.org", **SIGNUP})
    assert not get_user_model().objects.exists()


def test_used_or_unknown_invitation_link_is_404(client):
    assert client.get("/invitations/nope/").status_code == 404


def test_allowed_domain_opens_sign_up(client, settings):
    settings.READLIST_SIGNUP_DOMAINS = ["lab.example.org"]
    client.post("/accounts/signup/", {"email": "ada@lab.example.org", **SIGNUP})
    client.post("/accounts/signup/", {"email": "eve@elsewhere.org", **SIGNUP})
    emails = list(get_user_model().objects.values_list("email", flat=True))
    assert emails == ["ada@lab.example.org"]


def test_sign_in_with_email_and_password(client, owner):
    response = client.post(
        "/accounts/login/",
        {"login": "owner@example.com", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert client.get("/").content.decode().count("My curricula") >= 1


def test_repeated_failed_sign_ins_are_rate_limited(client, owner):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "owner@example.com", "password": "wrong"})
    response = client.post(
        "/accounts/login/",
        {"login": "owner@example.com", "password": "correct horse battery staple"},
    )
    # Even the right password waits, and the person is told why.
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email(client, owner, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "owner@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["owner@example.com"]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_sign_out_is_a_post(client, owner):
    client.force_login(owner)
    client.get("/accounts/logout/")
    assert "_auth_user_id" in client.session  # a GET only asks for confirmation
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


# --- the invitation link proves the address ----------------------------------------------------


def _addresses(email):
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.get(email=email)
    return list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary"))


def test_signing_up_through_the_link_with_the_invited_address_needs_no_confirmation(
    client, mailoutbox
):
    invitation = Invitation.objects.create(email="invited@example.org")
    client.get(f"/invitations/{invitation.token}/")
    response = client.post(
        "/accounts/signup/", {"email": "Invited@Example.org", **SIGNUP}, follow=True
    )
    assert response.status_code == 200
    assert _addresses("invited@example.org") == [("invited@example.org", True, True)]
    assert mailoutbox == []
    assert "Confirmation" not in response.content.decode()


def test_another_address_on_the_form_still_gets_a_confirmation_email(client, settings, mailoutbox):
    settings.READLIST_SIGNUP_DOMAINS = ["lab.example.org"]
    invitation = Invitation.objects.create(email="invited@lab.example.org")
    client.get(f"/invitations/{invitation.token}/")
    response = client.post(
        "/accounts/signup/", {"email": "other@lab.example.org", **SIGNUP}, follow=True
    )
    assert _addresses("other@lab.example.org") == [("other@lab.example.org", False, True)]
    assert [m.to for m in mailoutbox] == [["other@lab.example.org"]]
    assert "Confirmation email sent" in response.content.decode()


def test_the_invited_address_without_the_link_still_gets_a_confirmation_email(
    client, settings, mailoutbox
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    Invitation.objects.create(email="invited@example.org")
    client.post("/accounts/signup/", {"email": "invited@example.org", **SIGNUP})
    assert _addresses("invited@example.org") == [("invited@example.org", False, True)]
    assert [m.to for m in mailoutbox] == [["invited@example.org"]]
