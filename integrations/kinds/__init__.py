"""One module per destination; each turns a delivery into the request its service expects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from integrations.kinds import slack, webhook


@dataclass
class Outgoing:
    headers: dict[str, str]
    body: bytes


class Kind(Protocol):
    def build(self, hook, delivery) -> Outgoing: ...


KINDS = {"webhook": webhook, "slack": slack}
