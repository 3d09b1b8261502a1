"""Title verdicts against a labelled set: recall on wrong ids, precision of the flags, descriptive
labels flagged, the rank of the right paper among the suggestions, and the request gap.

    .venv/bin/python bench/verify.py [--data bench/data/verify_papers.json] [--gap-requests 4]
                                     [--seed 7]

The set is built from a data file of papers (real titles, authors, year, abstract) with
nicknames a curator would write. Cases: each title and each nickname linked to its own paper
(right: a flag is a false alarm), and each title and first nickname linked to another paper
(wrong: a flag is a hit; the right paper should be among the first three suggestions), and each
of a paper's wrong_links: a label meant for it on a chosen paper that shares no more than a field
acronym ("LLM opinion polls" on LLaMA), wrong in the same way. A local
fake arXiv serves the papers in the API's Atom format and answers id_list and search queries.
The accuracy pass runs without the 3 s wait; a second pass makes a few requests with the real
interval, each from a freshly built client, and measures the gaps where the server sees them.

Targets: recall >= 0.95, precision >= 0.9, no descriptive label flagged, the right paper at
rank <= 3 for every wrong case, minimum gap >= 3.0 s. Exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import setup_django, throwaway_database  # noqa: E402


def _derangement(n: int, rng: random.Random) -> list[int]:
    while True:
        order = list(range(n))
        rng.shuffle(order)
        if all(i != j for i, j in enumerate(order)):
            return order


def build_cases(papers: list[dict], seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    cases = []
    for paper in papers:
        cases.append({"label": paper["title"], "link": paper["id"], "kind": "right_title"})
        for nick in paper.get("nicknames", []):
            cases.append(
                {"label": nick, "link": paper["id"], "kind": "descriptive",
                 "alias": paper.get("alias", "")}
            )  # fmt: skip
    for kind, pick in (("wrong_title", lambda p: p["title"]), ("wrong_nickname", None)):
        order = _derangement(len(papers), rng)
        for i, j in enumerate(order):
            paper, other = papers[i], papers[j]
            if pick is None:
                if not paper.get("nicknames"):
                    continue
                label = paper["nicknames"][0]
            else:
                label = pick(paper)
            cases.append({"label": label, "link": other["id"], "kind": kind, "right": paper["id"]})
    for paper in papers:
        for wrong in paper.get("wrong_links", []):
            cases.append(
                {"label": wrong["label"], "link": wrong["link"], "kind": "wrong_acronym",
                 "right": paper["id"]}
            )  # fmt: skip
    return cases


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT / "bench" / "data" / "verify_papers.json"))
    parser.add_argument("--gap-requests", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7, help="which wrong ids each label gets")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from pytest_httpserver import HTTPServer

    from curricula.arxiv.client import ArxivClient
    from curricula.arxiv.services import arxiv_fetch
    from curricula.models import Curriculum, Entry, Resource, TitleCheck
    from curricula.verify import titles_verify
    from tests.curricula.arxiv_fake import AtomArxiv, Record

    papers = json.loads(Path(args.data).read_text())["papers"]
    records = [
        Record(
            p["id"],
            p["title"],
            p.get("abstract", ""),
            p.get("authors", []),
            f"{p.get('year', 2020)}-06-01",
        )
        for p in papers
    ]
    cases = build_cases(papers, seed=args.seed)
    settings.READLIST_FETCH_ALLOW = ["127.0.0.1", "localhost", "::1"]
    settings.READLIST_REDIS_PREFIX = "bench-verify"
    fake = AtomArxiv(records)
    server = HTTPServer()
    server.expect_request("/api/query").respond_with_handler(fake)
    server.start()
    api = server.url_for("/api/query")
    try:
        with throwaway_database():
            resources = {}
            for record in records:
                resources[record.arxiv_id] = Resource.objects.create(
                    url=f"https://arxiv.org/abs/{record.arxiv_id}",
                    kind=Resource.Kind.PAPER,
                    arxiv_id=record.arxiv_id,
                    arxiv_status=Resource.ArxivStatus.PENDING,
                )
            entries = []
            for n, case in enumerate(cases):
                curriculum = Curriculum.objects.create(slug=f"case-{n}", title=f"Case {n}")
                entry = Entry.objects.create(
                    curriculum=curriculum,
                    title=case["label"],
                    alias=case.get("alias", ""),
                    resource=resources[case["link"]],
                    position=1,
                )
                entries.append(entry)
            ids = [r.id for r in resources.values()]
            with ArxivClient(api_url=api, min_interval=0.0, backoff=0.0) as client:
                arxiv_fetch(resource_ids=ids, client=client, verify=False)
                titles_verify(resource_ids=ids, client=client, max_searches=10_000)
                accuracy_requests = client.requests
            checks = {c.entry_id: c for c in TitleCheck.objects.all()}
            report(cases, entries, checks)
            gaps = measure_gaps(api, fake, args.gap_requests, ArxivClient)
    finally:
        server.stop()
    return summarise(cases, entries, checks, gaps, accuracy_requests)


def measure_gaps(api: str, fake, count: int, client_class) -> list[float]:
    """`count` requests at the configured interval, each from a client built just then."""
    from django.conf import settings

    fake.arrivals.clear()
    for _ in range(count):
        with client_class(api_url=api, min_interval=settings.READLIST_ARXIV_MIN_INTERVAL) as c:
            c.fetch_ids(["1706.03762"])
    arrivals = fake.arrivals
    return [b - a for a, b in pairwise(arrivals)]


def _flagged(check) -> bool:
    return check is not None and check.status == "mismatch"


def report(cases, entries, checks) -> None:
    print(f"{'kind':15} {'verdict':12} label → linked (evidence)")
    for case, entry in zip(cases, entries, strict=True):
        check = checks.get(entry.id)
        wrong_expected = case["kind"].startswith("wrong")
        ok = _flagged(check) == wrong_expected
        if not ok:
            evidence = "; ".join(check.evidence) if check else "no check"
            status = check.status if check else "-"
            print(f"MISS {case['kind']:10} {status:12} {case['label']!r} → {case['link']} "
                  f"({evidence})")  # fmt: skip


def summarise(cases, entries, checks, gaps, accuracy_requests) -> int:
    wrong = [(c, e) for c, e in zip(cases, entries, strict=True) if c["kind"].startswith("wrong")]
    pairs = list(zip(cases, entries, strict=True))
    right = [(c, e) for c, e in pairs if not c["kind"].startswith("wrong")]
    hits = sum(_flagged(checks.get(e.id)) for _, e in wrong)
    false_alarms = sum(_flagged(checks.get(e.id)) for _, e in right)
    descriptive_flagged = sum(
        _flagged(checks.get(e.id)) for c, e in right if c["kind"] == "descriptive"
    )
    descriptive_total = sum(c["kind"] == "descriptive" for c, _ in right)
    recall = hits / len(wrong) if wrong else 1.0
    precision = hits / (hits + false_alarms) if hits + false_alarms else 1.0
    ranks = []
    for case, entry in wrong:
        check = checks.get(entry.id)
        offered = [s["arxiv_id"] for s in (check.suggestions if check else [])]
        ranks.append(offered.index(case["right"]) + 1 if case["right"] in offered else None)
    found = [r for r in ranks if r is not None]
    at3 = sum(1 for r in found if r <= 3)
    min_gap = min(gaps) if gaps else float("nan")
    print()
    print(f"cases: {len(cases)} ({len(wrong)} wrong ids, {len(right)} right, "
          f"{descriptive_total} of them descriptive labels)")  # fmt: skip
    print(f"recall on wrong ids:          {recall:.3f} ({hits}/{len(wrong)}; target >= 0.95)")
    print(f"precision of the flags:       {precision:.3f} ({hits}/{hits + false_alarms}; "
          "target >= 0.9)")  # fmt: skip
    print(f"descriptive labels flagged:   {descriptive_flagged}/{descriptive_total} (target 0)")
    print(f"right paper among suggestions: {len(found)}/{len(wrong)}, at rank <= 3: {at3}; "
          f"mean rank {sum(found) / len(found) if found else float('nan'):.2f}")  # fmt: skip
    print(f"requests (accuracy pass, no wait): {accuracy_requests}")
    shown = ", ".join(f"{g:.3f}" for g in gaps)
    print(f"requests at the real interval: {len(gaps) + 1}, gaps {shown} s; "
          f"minimum {min_gap:.3f} s (target >= 3.0)")  # fmt: skip
    ok = (
        recall >= 0.95
        and precision >= 0.9
        and descriptive_flagged == 0
        and at3 == len(wrong)
        and min_gap >= 3.0
    )
    print("targets met" if ok else "targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
