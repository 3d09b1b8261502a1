"""Microsoft Teams: an incoming webhook (a Workflows or connector URL) taking a message card."""

from __future__ import annotations

import json


def build(hook, delivery):
    from integrations.kinds import Outgoing

    card = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": delivery.text.splitlines()[0][:100] if delivery.text else "Readlist",
        "text": delivery.text.replace("\n", "\n\n"),  # Teams' Markdown needs blank lines
    }
    return Outgoing(headers={"Content-Type": "application/json"}, body=json.dumps(card).encode())
