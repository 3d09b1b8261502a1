"""Shared plumbing of the page benchmarks: Django set-up, a throwaway database, timing a page."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readlist.settings")
    # Test-mode settings: plain static storage (no collectstatic needed), no background work.
    os.environ.setdefault("READLIST_TESTING", "1")
    # Timed as in production: DEBUG off (no query log), whatever a checkout's .env says.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("READLIST_ENQUEUE_NEW_RESOURCES", "0")
    import django

    django.setup()


@contextmanager
def throwaway_database() -> Iterator[bool]:
    """A database of the benchmark's own, dropped afterwards; yields True when it is reused.

    On PostgreSQL it is "bench_" + the configured name, never the test suite's "test_…", so a
    test run and a bench run never share data; on SQLite it is in memory.
    BENCH_KEEP=1 keeps it for a later BENCH_REUSE=1 run (when profiling).
    """
    from django.conf import settings
    from django.db import OperationalError, connection

    # Not setup_test_environment(): its template instrumentation would slow every render.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"bench_{old_name}"
    reuse = bool(os.environ.get("BENCH_REUSE"))
    if reuse:
        connection.close()
        connection.settings_dict["NAME"] = connection.creation._get_test_db_name()
        try:
            connection.ensure_connection()
        except OperationalError:
            print("BENCH_REUSE: no kept database yet; building one.", file=sys.stderr)
            connection.settings_dict["NAME"] = old_name
            reuse = False
        else:
            # Kept by an earlier checkout: its schema brought up to this one's migrations, or
            # a page timed against a missing index reads as if the code were slow.
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
    if not reuse:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield reuse
    finally:
        if not os.environ.get("BENCH_KEEP"):
            connection.creation.destroy_test_db(old_name, verbosity=0)


def settle() -> None:
    """After building a dataset: fresh planner statistics, as a live database would have, so
    the first page timed does not race autovacuum."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def measure(client: Any, url: str, repeat: int) -> tuple[float, int]:
    """Median milliseconds of `repeat` requests after a warm-up, and the queries of one."""
    from django.db import connection

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    # Counted with a wrapper: the query log is reset at the start of every request.
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        client.get(url)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), count[0]


def report(
    client: Any, pages: list[tuple[str, str]], repeat: int, *, target: str, limit_ms: float
) -> int:
    """Time every (label, url), print a table, and judge the page labelled `target` against
    `limit_ms`; returns the exit status (1 when over)."""
    width = max(len(label) for label, _ in pages) + 2
    results = {}
    print(f"{'page':{width}} {'median ms':>10} {'queries':>8}")
    for label, url in pages:
        median, queries = measure(client, url, repeat)
        results[label] = median
        print(f"{label:{width}} {median:10.1f} {queries:8d}")
    verdict = "OK" if results[target] <= limit_ms else "OVER TARGET"
    print(f"Target: {target} <= {limit_ms:.0f} ms median: {results[target]:.1f} ms {verdict}")
    return 0 if results[target] <= limit_ms else 1


FLOOR = "/bench-floor/"


def use_floor_urls() -> None:
    """Serve the site's URLs plus the floor view (bench/floor_urls.py)."""
    from django.conf import settings
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = "floor_urls"
    clear_url_caches()


def ratios(
    client: Any,
    pages: list[tuple[str, str]],
    rounds: int,
    *,
    limits: dict[str, float],
    byte_limits: dict[str, int] | None = None,
    before: dict[str, Any] | None = None,
) -> int:
    """Time every (label, url) and the floor view interleaved, round by round (page order
    shuffled each round), so that a busy machine slows them alike; print each page's median,
    its ratio to the floor's median, its queries and its bytes; judge `limits` (label → the
    largest ratio allowed) and `byte_limits` (label → largest uncompressed body). Returns the
    exit status (1 when any target is missed)."""
    import random

    from django.db import connection

    use_floor_urls()
    everything = [("floor (login_required, one query)", FLOOR), *pages]
    queries: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for label, url in everything:
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        sizes[label] = len(response.content)
        count = [0]

        def counter(execute, sql, params, many, context, count=count):
            count[0] += 1
            return execute(sql, params, many, context)

        if label in (before or {}):
            before[label]()  # type: ignore[index]
        with connection.execute_wrapper(counter):
            client.get(url)
        queries[label] = count[0]
    times: dict[str, list[float]] = {label: [] for label, _ in everything}
    rng = random.Random(1)
    for _ in range(rounds):
        order = everything[:]
        rng.shuffle(order)
        for label, url in order:
            if label in (before or {}):
                before[label]()  # type: ignore[index]
            start = time.perf_counter()
            client.get(url)
            times[label].append((time.perf_counter() - start) * 1000)
    medians = {label: statistics.median(t) for label, t in times.items()}
    floor = medians[everything[0][0]]
    width = max(len(label) for label, _ in everything) + 2
    print(f"{'page':{width}} {'median ms':>10} {'x floor':>8} {'queries':>8} {'bytes':>10}")
    for label, _ in everything:
        print(
            f"{label:{width}} {medians[label]:10.1f} {medians[label] / floor:8.1f} "
            f"{queries[label]:8d} {sizes[label]:10,d}"
        )
    missed = 0
    for label, limit in limits.items():
        ratio = medians[label] / floor
        ok = ratio <= limit
        missed += not ok
        print(f"Target: {label} <= {limit:g}x floor: {ratio:.1f}x {'OK' if ok else 'OVER'}")
    for label, limit in (byte_limits or {}).items():
        ok = sizes[label] <= limit
        missed += not ok
        print(f"Target: {label} <= {limit:,d} bytes: {sizes[label]:,d} {'OK' if ok else 'OVER'}")
    return 1 if missed else 0


def profile(client: Any, url: str, rounds: int = 5) -> None:
    """BENCH_PROFILE=URL: where one page's time goes, instead of the timings."""
    import cProfile
    import pstats

    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def scratch_django(prefix: str, *, own_sqlite: bool = False, **env: str) -> str:
    """The worker benchmarks' set-up: a scratch var/ folder, loopback fetching allowed, Django
    ready and migrated. `env` adds or overrides settings; returns the scratch folder.

    The database is DATABASE_URL when set (PostgreSQL for the figures that matter), else a
    SQLite file in the scratch folder; `own_sqlite` always takes the SQLite file.
    """
    import logging
    import tempfile

    var = tempfile.mkdtemp(prefix=f"readlist-{prefix}-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "readlist.settings",
            "DEBUG": "1",
            "READLIST_VAR_DIR": var,
            "READLIST_FETCH_ALLOW": "127.0.0.0/8",
            "READLIST_ENQUEUE_NEW_RESOURCES": "0",
            "READLIST_REDIS_PREFIX": f"{prefix}-{os.getpid()}",
            "LOG_LEVEL": "WARNING",
            **env,
        }
    )
    sqlite = f"sqlite:///{var}/{prefix}.sqlite3"
    if own_sqlite:
        os.environ["DATABASE_URL"] = sqlite
    else:
        os.environ.setdefault("DATABASE_URL", sqlite)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return var
