"""Matrix, Zulip and Microsoft Teams, each played by a local server the way the service
answers, including its refusals."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qs

from werkzeug.wrappers import Response

from integrations import services
from integrations.models import Delivery, Hook
from integrations.tasks import deliver


def _send_test(team) -> Delivery:
    [delivery_id] = services.hooks_emit(Hook.Event.TEST, team=team, context={})
    deliver.apply(args=[delivery_id])
    return Delivery.objects.get(id=delivery_id)


def test_matrix_puts_a_notice_with_the_token_and_an_idempotent_txn_id(make_hook, httpserver, team):
    room = "/_matrix/client/v3/rooms/!room:example.org/send/m.room.message"
    make_hook("matrix", path=room, token="syt_secret")
    seen: list = []

    def matrix(request):
        seen.append((request.method, request.path, request.headers, json.loads(request.data)))
        if request.headers.get("Authorization") != "Bearer syt_secret":
            return Response('{"errcode": "M_UNKNOWN_TOKEN"}', status=401)
        return Response('{"event_id": "$1"}', content_type="application/json")

    txn = re.compile(re.escape(room) + r"/readlist-\d+")
    httpserver.expect_request(txn, method="PUT").respond_with_handler(matrix)
    delivery = _send_test(team)
    assert delivery.status == "sent", delivery.error
    method, path, _headers, body = seen[0]
    assert method == "PUT"
    assert path.endswith(f"/readlist-{delivery.id}")
    assert body == {"msgtype": "m.notice", "body": delivery.text}


def test_matrix_refusing_the_token_fails_without_retrying(make_hook, httpserver, team):
    room = "/_matrix/client/v3/rooms/!room:example.org/send/m.room.message"
    make_hook("matrix", path=room, token="wrong")
    httpserver.expect_request(re.compile(re.escape(room) + r"/readlist-\d+")).respond_with_data(
        '{"errcode": "M_UNKNOWN_TOKEN"}', status=401
    )
    delivery = _send_test(team)
    assert delivery.status == "failed"
    assert delivery.attempts == 1
    assert "M_UNKNOWN_TOKEN" in delivery.error


def test_zulip_posts_a_stream_message_as_the_bot(make_hook, httpserver, team):
    make_hook(
        "zulip",
        path="/",
        token="api-key",
        options={"email": "readlist-bot@zulip.example", "stream": "reading", "topic": "Week"},
    )
    seen: list = []

    def zulip(request):
        seen.append((request.headers["Authorization"], parse_qs(request.get_data(as_text=True))))
        return Response('{"result": "success", "id": 42}', content_type="application/json")

    httpserver.expect_request("/api/v1/messages", method="POST").respond_with_handler(zulip)
    delivery = _send_test(team)
    assert delivery.status == "sent", delivery.error
    auth, form = seen[0]
    assert base64.b64decode(auth.split()[1]) == b"readlist-bot@zulip.example:api-key"
    assert form["type"] == ["stream"]
    assert form["to"] == ["reading"]
    assert form["topic"] == ["Week"]
    assert form["content"] == [delivery.text]


def test_microsoft_teams_gets_a_message_card(make_hook, httpserver, team):
    make_hook("msteams")
    seen: list = []

    def msteams(request):
        seen.append(json.loads(request.data))
        return Response("1")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(msteams)
    delivery = _send_test(team)
    assert delivery.status == "sent", delivery.error
    card = seen[0]
    assert card["@type"] == "MessageCard"
    assert "this hook works" in card["text"]


def test_admin_asks_zulip_and_matrix_for_what_they_need(admin_client, team):
    from django.urls import reverse

    response = admin_client.post(
        reverse("admin:integrations_hook_add"),
        {
            "team": team.id,
            "kind": "zulip",
            "url": "https://team.zulipchat.com",
            "options": "{}",
            "enabled": "on",
        },
    )
    assert response.status_code == 200
    assert b"needs a token" in response.content
    assert b"Zulip needs" in response.content
    assert not Hook.objects.exists()
