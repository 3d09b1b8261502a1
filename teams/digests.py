"""Weekly email digests: members get what is next and new, managers who is stalled or overdue.

Each digest is claimed before it is sent by inserting a unique (user, kind, period) row: a
second run of the task (a retry, two beats, two workers) finds the row and sends nothing.
When sending fails the claim is withdrawn so the retry can send it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notes import resurfacing
from notes import selectors as notes_selectors
from notes.models import Enrollment
from teams import selectors
from teams.models import DigestPreference, DigestSent, Membership, Team

log = logging.getLogger(__name__)
SALT = "teams.digest.unsubscribe"


def period_for(day: dt.date) -> dt.date:
    """The Monday of the week `day` is in: one digest of each kind per person per week."""
    return day - dt.timedelta(days=day.weekday())


def unsubscribe_token(user: Any) -> str:
    return signing.dumps({"u": user.pk}, salt=SALT)


def user_for_token(token: str) -> Any | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()


def wants_member_digest(user: Any) -> bool:
    pref = DigestPreference.objects.filter(user=user).first()
    return pref is None or pref.weekly_digest


def _claim(user: Any, kind: str, period: dt.date) -> DigestSent | None:
    try:
        with transaction.atomic():
            return DigestSent.objects.create(
                user=user, kind=kind, period=period, sent_at=timezone.now()
            )
    except IntegrityError:
        return None


def _send(user: Any, template: str, context: dict[str, Any]) -> None:
    base = settings.SITE_URL.rstrip("/")
    context = {**context, "user": user, "site_url": base}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject, render_to_string(f"{template}.txt", context), to=[user.email]
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def claim_and_send(
    user: Any, kind: str, period: dt.date, template: str, context: dict[str, Any]
) -> bool:
    claim = _claim(user, kind, period)
    if claim is None:
        return False
    try:
        _send(user, template, context)
    except Exception:
        claim.delete()
        raise
    return True


def member_digest_send(*, user: Any, period: dt.date) -> bool:
    """What is next and what is new in each of my curricula; False when nothing was sent."""
    if not user.email or not user.is_active or not wants_member_digest(user):
        return False
    if not Enrollment.objects.filter(user=user).exists():
        return False
    data = notes_selectors.home(user)
    base = settings.SITE_URL.rstrip("/")
    context = {
        "cards": data["cards"],
        # The same notes as home shows today, with the same "Still true" there (a POST: a
        # link in an email must not change anything when a mail scanner follows it).
        "resurfaced": resurfacing.pick(user),
        "period": period,
        "home_url": base + reverse("home"),
        "settings_url": base + reverse("teams:digest"),
        "unsubscribe_url": base + reverse("teams:unsubscribe", args=[unsubscribe_token(user)]),
    }
    return claim_and_send(
        user, DigestSent.Kind.MEMBER, period, "teams/email/member_digest", context
    )


def manager_digest_send(*, user: Any, period: dt.date) -> bool:
    """Who is stalled or overdue in the teams I manage; False when there is nobody to name."""
    if not user.email or not user.is_active:
        return False
    teams = Team.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.MANAGER
    ).distinct()
    base = settings.SITE_URL.rstrip("/")
    sections = []
    for team in teams:
        board = selectors.dashboard(team)
        rows = [
            r
            for r in board.all_rows
            if r.state in (selectors.State.STALLED, selectors.State.OVERDUE)
        ]
        rows.sort(key=lambda r: (selectors.State.RANK[r.state], r.name.lower()))
        if rows:
            url = base + reverse("teams:dashboard", args=[team.slug])
            sections.append({"team": team, "rows": rows, "url": url})
    if not sections:
        return False
    context = {"sections": sections, "period": period}
    return claim_and_send(
        user, DigestSent.Kind.MANAGER, period, "teams/email/manager_digest", context
    )


def digest_recipients() -> tuple[list[int], list[int]]:
    """(members who may get a member digest, managers) — ids, for one task each."""
    opted_out = DigestPreference.objects.filter(weekly_digest=False).values("user_id")
    members = (
        Enrollment.objects.exclude(user_id__in=opted_out)
        .filter(user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    managers = (
        Membership.objects.filter(role=Membership.Role.MANAGER, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sorted(set(members)), sorted(set(managers))
