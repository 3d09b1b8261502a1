"""Matrix: one m.room.message (m.notice) into a room, through the client-server API.

The hook's URL is the room's send endpoint without the transaction id, e.g.
https://matrix.example.org/_matrix/client/v3/rooms/!room:example.org/send/m.room.message;
the delivery id makes the transaction id, so a retried delivery is not posted twice."""

from __future__ import annotations

import json


def build(hook, delivery):
    from integrations.kinds import Outgoing

    body = json.dumps({"msgtype": "m.notice", "body": delivery.text}).encode()
    return Outgoing(
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {hook.token}"},
        body=body,
        method="PUT",
        url=f"{hook.url.rstrip('/')}/readlist-{delivery.id}",
    )
