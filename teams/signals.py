"""Sign-in remembers whether the person manages a team, so the nav shows Teams without a query.

This is page chrome, not a business rule: the pages themselves check access on every request.
"""

from __future__ import annotations

from typing import Any


def remember_manager_on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from teams.access import manages_any_team
    from teams.views import SESSION_FLAG

    request.session[SESSION_FLAG] = manages_any_team(user)


def onboard_invited(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from teams.services import invitation_onboard

    if user.email:
        invitation_onboard(user=user, email=user.email)
