"""Nudges: one short email when a person falls behind on an assignment or its due date nears.

The state is the managers' own (notes.deadlines → teams.selectors.member_deadlines). A nudge
goes out at most once per person per week (claimed like a digest: a unique DigestSent row of
kind "nudge"), never to someone who turned the weekly digest off (the same switch on the
settings page and the same unsubscribe link), and only when there is something to say.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from notes.deadlines import Deadline
from notes.models import Enrollment
from teams import digests, selectors
from teams.models import DigestPreference, DigestSent

# A due date this close (in days) earns a nudge even when the person is on track.
DUE_SOON_DAYS = 3


def worth_a_nudge(deadline: Deadline, today: dt.date) -> str:
    """Why this deadline deserves a nudge ("" when it does not)."""
    if deadline.state in (selectors.State.DONE, selectors.State.NOT_STARTED):
        return ""
    if deadline.needs_attention:
        return deadline.state
    if 0 <= (deadline.due_date - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return ""


def nudge_send(*, user: Any, today: dt.date) -> bool:
    """Email `user` the assignments that need them; False when nothing was sent."""
    if not user.email or not user.is_active or not digests.wants_member_digest(user):
        return False
    assigned = list(
        Enrollment.objects.filter(user=user, source=Enrollment.Source.ASSIGNED).values_list(
            "curriculum_id", flat=True
        )
    )
    standing = selectors.member_deadlines(user, assigned) if assigned else {}
    items = []
    titles = dict(
        Enrollment.objects.filter(user=user, curriculum_id__in=list(standing)).values_list(
            "curriculum_id", "curriculum__title"
        )
    )
    for curriculum_id, deadline in standing.items():
        why = worth_a_nudge(deadline, today)
        if why:
            items.append({"title": titles[curriculum_id], "deadline": deadline, "why": why})
    if not items:
        return False
    items.sort(key=lambda i: (i["deadline"].due_date, i["title"]))
    base = settings.SITE_URL.rstrip("/")
    context = {
        "items": items,
        "home_url": base + reverse("home"),
        "settings_url": base + reverse("teams:digest"),
        "unsubscribe_url": base
        + reverse("teams:unsubscribe", args=[digests.unsubscribe_token(user)]),
    }
    return digests.claim_and_send(
        user, DigestSent.Kind.NUDGE, digests.period_for(today), "teams/email/nudge", context
    )


def nudge_recipients() -> list[int]:
    """People with an assignment who have not turned the emails off."""
    opted_out = DigestPreference.objects.filter(weekly_digest=False).values("user_id")
    return sorted(
        set(
            Enrollment.objects.filter(source=Enrollment.Source.ASSIGNED, user__is_active=True)
            .exclude(user_id__in=opted_out)
            .values_list("user_id", flat=True)
        )
    )
