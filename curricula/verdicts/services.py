"""Every write of a title verdict goes through here, so that one rule says when an entry
became flagged ("wrong paper?" or listed twice): the admins' hook tells each flag once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from curricula.models import TitleCheck


def title_check_record(
    check: TitleCheck, *, fields: Iterable[str] | None = None, now: datetime | None = None
) -> TitleCheck:
    """Save the check (only `fields` when given). `flagged_at` is stamped on the write that
    flags it, kept while it stays flagged, cleared on the write that clears it, so a flag that
    comes back after a fix is news again (integrations/events.py keys on it)."""
    if check.flagged:
        if check.flagged_at is None:
            check.flagged_at = now or timezone.now()
    else:
        check.flagged_at = None
    if fields is None:
        check.save()
    else:
        check.save(update_fields=list(dict.fromkeys([*fields, "flagged_at"])))
    return check
