"""The client's IP address as seen through the trusted proxies in front of the app.

Each proxy appends the address it received the request from to X-Forwarded-For, so with
READLIST_TRUSTED_PROXIES = N (nginx alone: 1; a load balancer and nginx: 2) the client is the
N-th entry from the right of (X-Forwarded-For + REMOTE_ADDR), counting REMOTE_ADDR as 0.
Entries further left were written by the client itself and are ignored: anyone can send them.
With N = 0 (the default) the header is ignored altogether. The app must then be reachable only
through those proxies, or a client could write the header the proxies would otherwise write.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _clean(value: str) -> str | None:
    """An IP address in canonical form, or None; tolerates a port ("1.2.3.4:80", "[::1]:80")."""
    value = value.strip()
    candidates = [value]
    if value.startswith("[") and "]" in value:
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.READLIST_TRUSTED_PROXIES
    if hops <= 0:
        return _clean(remote) or remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    chain = [part.strip() for part in forwarded if part.strip()] + [remote]
    # Fewer entries than proxies: the request skipped one; the leftmost is as far as we can see.
    candidate = chain[-(hops + 1)] if len(chain) > hops else chain[0]
    cleaned = _clean(candidate)
    if cleaned is None:
        logger.warning("Unreadable X-Forwarded-For entry %r; using REMOTE_ADDR", candidate[:64])
        return _clean(remote) or remote
    return cleaned
