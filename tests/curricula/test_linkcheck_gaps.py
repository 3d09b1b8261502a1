"""Per-host politeness as the site sees it: the gap between two requests' arrivals is never
under the configured interval, whatever the connection set-up costs."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest

from curricula.linkhealth import checker
from curricula.linkhealth.politeness import DatabaseGate, get_gate
from tests.conftest import REPO

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["configured", "database"])
def gate(request, settings):
    return get_gate() if request.param == "configured" else DatabaseGate()


def test_no_gap_between_arrivals_is_under_the_interval(fast_checker, gate):
    interval = 0.25
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.curricula.arrival_server"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(server.stdout.readline())  # type: ignore[union-attr]
        items = [(i, f"http://127.0.0.1:{port}/p?i={i}") for i in range(12)]
        conf = checker.CheckSettings.from_settings(interval=interval, limit=2, threads=8)
        outcomes = checker.check_many(items, gate=gate, conf=conf)
    finally:
        out, _ = server.communicate(timeout=20)
    arrivals = json.loads(out.strip().splitlines()[-1])
    assert [o.outcome for o in outcomes] == ["ok"] * 12, [o.error for o in outcomes]
    gaps = [b - a for a, b in itertools.pairwise(sorted(arrivals))]
    assert len(gaps) == 11
    assert min(gaps) >= interval, [round(g, 4) for g in gaps]
