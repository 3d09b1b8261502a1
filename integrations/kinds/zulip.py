"""Zulip: a stream message from a bot (POST /api/v1/messages, HTTP basic auth).

The hook's URL is the organisation's (https://team.zulipchat.com); options name the bot's
email, the stream and the topic; the token is the bot's API key."""

from __future__ import annotations

import base64
from urllib.parse import urlencode


def build(hook, delivery):
    from integrations.kinds import Outgoing

    options = hook.options or {}
    credentials = base64.b64encode(f"{options.get('email', '')}:{hook.token}".encode()).decode()
    body = urlencode(
        {
            "type": "stream",
            "to": options.get("stream", ""),
            "topic": options.get("topic", "Readlist"),
            "content": delivery.text,
        }
    ).encode()
    return Outgoing(
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {credentials}",
        },
        body=body,
        url=f"{hook.url.rstrip('/')}/api/v1/messages",
    )
