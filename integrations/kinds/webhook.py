"""A generic JSON webhook, signed with HMAC-SHA256 over "<timestamp>.<body>" with the hook's
secret (the receiver recomputes it and refuses a timestamp older than a few minutes)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time


def signature(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def build(hook, delivery):
    from integrations.kinds import Outgoing

    body = json.dumps(
        {
            "event": delivery.event,
            "delivery": delivery.id,
            "team": {"name": hook.team.name, "slug": hook.team.slug},
            "text": delivery.text,
            "data": delivery.payload,
        },
        sort_keys=True,
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Readlist-Event": delivery.event,
        "X-Readlist-Delivery": str(delivery.id),
        "X-Readlist-Timestamp": timestamp,
        "X-Readlist-Signature": signature(hook.secret, timestamp, body),
    }
    return Outgoing(headers=headers, body=body)
