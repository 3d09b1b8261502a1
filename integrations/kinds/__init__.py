"""One module per destination; each turns a delivery into the request its service expects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from integrations.kinds import matrix, msteams, slack, webhook, zulip


@dataclass
class Outgoing:
    headers: dict[str, str]
    body: bytes
    method: str = "POST"
    url: str = ""  # "" = the hook's URL


class Kind(Protocol):
    def build(self, hook, delivery) -> Outgoing: ...


KINDS = {"webhook": webhook, "slack": slack, "matrix": matrix, "zulip": zulip, "msteams": msteams}
