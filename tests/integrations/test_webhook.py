"""The generic JSON webhook: signed with HMAC-SHA256 over timestamp and body, checked by a
local receiver the way a real one would."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from werkzeug.wrappers import Request, Response

from integrations import services
from integrations.models import Delivery, Hook
from integrations.tasks import deliver


def _receiver(secret: str, seen: list):
    def handle(request: Request) -> Response:
        stamp = request.headers["X-Readlist-Timestamp"]
        body = request.get_data()
        expected = (
            "sha256="
            + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        good = hmac.compare_digest(expected, request.headers["X-Readlist-Signature"])
        fresh = abs(time.time() - int(stamp)) < 300
        seen.append((good, fresh, json.loads(body), dict(request.headers)))
        return Response("", status=204 if good and fresh else 401)

    return handle


def test_webhook_is_signed_and_carries_the_event(make_hook, httpserver, team):
    hook = make_hook("webhook")
    seen: list = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        _receiver(hook.secret, seen)
    )
    [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={"n": 1})
    assert deliver.apply(args=[delivery_id]).get() == "sent"
    good, fresh, body, headers = seen[0]
    assert good and fresh
    assert body["event"] == "test"
    assert body["delivery"] == delivery_id
    assert body["team"] == {"name": "Research", "slug": team.slug}
    assert body["data"] == {"n": 1}
    assert "this hook works" in body["text"]
    assert headers["X-Readlist-Event"] == "test"
    assert headers["Content-Type"] == "application/json"
    delivery = Delivery.objects.get(id=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("sent", 1, 204)


def test_a_receiver_with_another_secret_refuses_it(make_hook, httpserver, team):
    hook = make_hook("webhook")
    seen: list = []
    httpserver.expect_request("/hook").respond_with_handler(_receiver("not-the-secret", seen))
    [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={})
    assert deliver.apply(args=[delivery_id]).get() == "failed"
    assert seen[0][0] is False
    delivery = Delivery.objects.get(id=delivery_id)
    assert delivery.status == "failed"
    assert delivery.error.startswith("HTTP 401")
    hook.refresh_from_db()
    assert hook.failures == 1


def test_each_hook_has_its_own_secret(make_hook):
    assert make_hook().secret != make_hook().secret
    assert len(make_hook().secret) >= 40
