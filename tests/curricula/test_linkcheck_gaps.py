"""Per-host politeness as the site sees it: the gap between two requests' arrivals is never
under the configured interval, whatever the connection set-up costs."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from curricula.linkhealth import checker
from curricula.linkhealth.politeness import DatabaseGate, get_gate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["configured", "database"])
def gate(request, settings):
    return get_gate() if request.param == "configured" else DatabaseGate()


def test_no_gap_between_arrivals_is_under_the_interval(fast_checker, gate):
    interval = 0.25
    arrivals: list[float] = []
    lock = threading.Lock()

    def handler(request):
        with lock:
            arrivals.append(time.monotonic())
        n = int(request.args["i"])
        time.sleep(0.05 * (n % 4))
        # Every third answer closes its connection: the next request on that lane pays for a
        # new one, the others reuse theirs, so the time from grant to sending varies.
        headers = {"Connection": "close"} if n % 3 == 0 else {}
        return Response("ok", headers=headers)

    server = HTTPServer(threaded=True)
    server.start()
    try:
        server.expect_request("/p").respond_with_handler(handler)
        items = [(i, server.url_for(f"/p?i={i}")) for i in range(12)]
        conf = checker.CheckSettings.from_settings(interval=interval, limit=2, threads=8)
        outcomes = checker.check_many(items, gate=gate, conf=conf)
    finally:
        server.stop()
    assert [o.outcome for o in outcomes] == ["ok"] * 12
    gaps = [b - a for a, b in itertools.pairwise(sorted(arrivals))]
    assert min(gaps) >= interval, [round(g, 4) for g in gaps]
