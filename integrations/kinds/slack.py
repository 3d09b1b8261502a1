"""Slack incoming webhooks: a JSON body with the message's text (Slack's mrkdwn)."""

from __future__ import annotations

import json


def build(hook, delivery):
    from integrations.kinds import Outgoing

    body = json.dumps({"text": delivery.text}).encode()
    return Outgoing(headers={"Content-Type": "application/json"}, body=body)
