"""arXiv client cost for 300 ids against a local fake arXiv: requests made and wall time.

    .venv/bin/python bench/arxiv.py

Uses the real minimum interval between requests (3 s), so the wall time is mostly that wait.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import scratch_django  # noqa: E402


def main() -> int:
    scratch_django("bench", READLIST_FETCH_ALLOW="127.0.0.1,localhost,::1")
    from django.conf import settings
    from pytest_httpserver import HTTPServer

    from curricula.arxiv.client import ArxivClient
    from tests.curricula.workers_support import FakeArxiv

    ids = [f"2401.{n:05d}" for n in range(300)]
    # 297 papers exist; three ids are missing, as in real batches.
    fake = FakeArxiv({i: (f"A paper numbered {i}", 1 + n % 3) for n, i in enumerate(ids[:297])})
    server = HTTPServer()
    server.expect_request("/api/query").respond_with_handler(fake)
    server.start()
    try:
        started = time.monotonic()
        with ArxivClient(api_url=server.url_for("/api/query")) as client:
            lookup = client.fetch_ids(ids)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    print(f"300 ids, {settings.READLIST_ARXIV_MIN_INTERVAL:g} s between requests")
    print(f"requests: {client.requests} (target <= 3)")
    print(f"found: {len(lookup.papers)}, missing: {len(lookup.missing)}")
    print(f"wall time: {elapsed:.1f} s")
    return 0 if client.requests <= 3 and len(lookup.papers) == 297 else 1


if __name__ == "__main__":
    raise SystemExit(main())
