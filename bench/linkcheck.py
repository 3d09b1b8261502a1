"""Link-checker throughput against local hosts with a set latency, versus the politeness bound.

    .venv/bin/python bench/linkcheck.py            # 2,000 links over 40 hosts at 100 ms
    .venv/bin/python bench/linkcheck.py --quick    # 400 links over 40 hosts

Each host is its own loopback address (127.0.0.2, 127.0.0.3, …) so politeness applies per host.
The bound is the best any checker could do under the rules: one request per second per host,
i.e. H links/s. Uses Redis for the politeness gate when REDIS_URL is set, SQLite otherwise.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import scratch_django  # noqa: E402


def serve_hosts(count: int, latency: float) -> tuple[int, list[ThreadingHTTPServer], dict]:
    stamps: dict[str, list[float]] = defaultdict(list)
    active: dict[str, int] = defaultdict(int)
    peak: dict[str, int] = defaultdict(int)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            host = self.server.server_address[0]
            with lock:
                stamps[host].append(time.monotonic())
                active[host] += 1
                peak[host] = max(peak[host], active[host])
            time.sleep(latency)
            body = b"<html><head><title>Bench page</title></head><body>ok</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            with lock:
                active[host] -= 1

        def log_message(self, *args):
            pass

    first = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    port = first.server_address[1]
    servers = [first] + [
        ThreadingHTTPServer((f"127.0.0.{i + 3}", port), Handler) for i in range(count - 1)
    ]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return port, servers, {"stamps": stamps, "peak": peak}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--quick", action="store_true", help="400 links over 40 hosts")
    args = parser.parse_args()
    if args.quick:
        args.links, args.hosts = 400, 40
    if not 1 <= args.hosts <= 250:
        parser.error("--hosts must be between 1 and 250 (one loopback address each)")

    scratch_django("bench", READLIST_LINKCHECK_CANARIES="")
    from django.conf import settings

    from curricula.linkhealth import services
    from curricula.models import Resource

    port, servers, seen = serve_hosts(args.hosts, args.latency)
    Resource.objects.filter(url__startswith="http://127.0.0.").delete()
    Resource.objects.bulk_create(
        Resource(url=f"http://127.0.0.{(i % args.hosts) + 2}:{port}/doc/{i}", kind="blog")
        for i in range(args.links)
    )
    ids = list(Resource.objects.values_list("id", flat=True))
    interval = settings.READLIST_LINKCHECK_HOST_INTERVAL
    gate = "Redis" if settings.REDIS_URL else "database"
    print(
        f"{args.links} links over {args.hosts} hosts, {args.latency * 1000:.0f} ms latency, "
        f"{interval:g} s/host, {settings.READLIST_LINKCHECK_THREADS} threads, {gate} gate"
    )
    started = time.monotonic()
    run = services.linkcheck_run(resource_ids=ids, trigger="bench")
    elapsed = time.monotonic() - started
    for server in servers:
        server.shutdown()

    rate = args.links / elapsed
    bound = args.hosts / interval
    gaps = [b - a for stamps in seen["stamps"].values() for a, b in itertools.pairwise(stamps)]
    print(f"outcomes: {run.counts}  inconclusive: {run.inconclusive}")
    print(f"wall time: {elapsed:.1f} s")
    print(f"throughput: {rate:.1f} links/s; politeness bound {bound:.1f} links/s")
    print(f"ratio to bound: {rate / bound:.2f} (target >= 0.80)")
    close = sum(gap < 0.95 * interval for gap in gaps)
    print(
        f"politeness: smallest gap between two requests to one host {min(gaps):.3f} s "
        f"({close} of {len(gaps)} gaps under {0.95 * interval:.2f} s, as seen by the servers); "
        f"most at once on one host {max(seen['peak'].values())}"
    )
    return 0 if rate / bound >= 0.8 and run.counts.get("ok") == args.links else 1


if __name__ == "__main__":
    raise SystemExit(main())
