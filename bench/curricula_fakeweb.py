"""Run the link checker and the title verifier over the three bundled curricula against a fake web.

    .venv/bin/python bench/curricula_fakeweb.py [--screenshot var/screenshots/linkhealth.png]
                                                [--port 8810]

Nothing leaves the machine: every host name resolves to 127.0.0.1 inside this process, where one
server plays the web and arXiv. For a handful of links it answers as the real sites do (the
titles arXiv really gives, a dead page, moved pages, a bot wall, a link to the wrong page);
every other page and paper answers with its curated title, i.e. as if the list were right.
The pages it plays also describe themselves (DESCRIPTIONS). Papers in
bench/data/verify_papers.json answer with their real title, authors, year and
abstract (what the judge reads for descriptive labels), in the API's Atom format.
The checker runs three times, 25 hours apart (by back-dating), so the 3-strikes rule can act.

With --screenshot, the links get their real URLs back, the site is served on --port (runserver
on the same scratch database) and Chromium saves the admin's link-health page there.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import scratch_django  # noqa: E402

# Titles as arXiv gives them (for the papers this fake web knows).
ARXIV_TITLES = {
    "2112.11446": "Scaling Language Models: Methods, Analysis & Insights from Training Gopher",
    "2205.01068": "OPT: Open Pre-trained Transformer Language Models",
    "2402.16827": "A Survey on Data Selection for Language Models",
    "2506.04723": "Beyond Accuracy: Dissecting Mathematical Reasoning for LLMs Under "
    "Reinforcement Learning",
    "2005.04118": "Beyond Accuracy: Behavioral Testing of NLP Models with CheckList",
    "1706.03762": "Attention Is All You Need",
    "2001.08361": "Scaling Laws for Neural Language Models",
    "2005.14165": "Language Models are Few-Shot Learners",
    "2009.01325": "Learning to summarize from human feedback",
    "2101.00027": "The Pile: An 800GB Dataset of Diverse Text for Language Modeling",
    "2106.09685": "LoRA: Low-Rank Adaptation of Large Language Models",
    "2203.02155": "Training language models to follow instructions with human feedback",
    "2203.15556": "Training Compute-Optimal Large Language Models",
    "2305.18290": "Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
    "2402.03300": "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language "
    "Models",
    "1910.02054": "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models",
    "1909.08053": "Megatron-LM: Training Multi-Billion Parameter Language Models Using Model "
    "Parallelism",
    "2312.00752": "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
    "2302.13971": "LLaMA: Open and Efficient Foundation Language Models",
    "2305.14314": "QLoRA: Efficient Finetuning of Quantized LLMs",
    "2211.09110": "Holistic Evaluation of Language Models",
}
CHINCHILLA = "/blog/an-empirical-analysis-of-compute-optimal-large-language-model-training"
AIMA = "Artificial Intelligence: A Modern Approach, 4th US ed."
# (host, path) → (status, headers, title or body)
SPECIAL_PAGES = {
    ("aima.cs.berkeley.edu", "/"): (200, {}, AIMA),
    ("research.google", "/blog/beyond-accuracy-behavioral-testing-of-nlp-models/"): (
        404,
        {},
        "Page not found",
    ),
    ("openai.com", "/research/instruction-following"): (
        301,
        {"Location": "/index/instruction-following/"},
        "",
    ),
    ("openai.com", "/index/instruction-following/"): (
        200,
        {},
        "Aligning language models to follow instructions | OpenAI",
    ),
    ("www.deepmind.com", CHINCHILLA): (
        301,
        {
            "Location": f"http://deepmind.google/discover{CHINCHILLA}/"
        },
        "",
    ),
    ("deepmind.google", f"/discover{CHINCHILLA}/"): (
        200,
        {},
        "An empirical analysis of compute-optimal large language model training - Google DeepMind",
    ),
}  # fmt: skip
# What these pages say about themselves (the link checker keeps it; the title check reads it as
# the page's abstract): OpenAI's real meta description, which its og:description repeats; the
# DeepMind post's opening as og:description only; for the AIMA site no meta, an opening
# paragraph (both close paraphrases). (kind, text); kind is "meta", "og" or "p". Every other
# page has none, only navigation and a footer, which are not a description.
DESCRIPTIONS = {
    ("openai.com", "/index/instruction-following/"): (
        "meta",
        "We've trained language models that are much better at following user intentions than "
        "GPT-3 while also making them more truthful and less toxic, using techniques developed "
        "through our alignment research. These InstructGPT models, which are trained with humans "
        "in the loop, are now deployed as the default language models on our API.",
    ),
    ("deepmind.google", f"/discover{CHINCHILLA}/"): (
        "og",
        "We ask the question: What is the optimal model size and number of training tokens for a "
        "given compute budget? We find that for compute-optimal training, the model size and the "
        "number of training tokens should be scaled equally: for every doubling of model size the "
        "number of training tokens should also be doubled. We test this hypothesis by training a "
        "more compute-optimal 70B model, Chinchilla, on 1.4 trillion tokens.",
    ),
    ("aima.cs.berkeley.edu", "/"): (
        "p",
        "The leading textbook in Artificial Intelligence, used in over 1500 schools in 135 "
        "countries, by Stuart Russell and Peter Norvig. The 4th edition brings the book up to "
        "date on deep learning, probabilistic programming and multiagent systems.",
    ),
}
# The pages of this fake web whose curated label names another work (the rest are right).
WRONG_PAGES = {("aima.cs.berkeley.edu", "/")}
BOT_WALL_HOSTS = {"openai.com"}  # every other openai.com page: a Cloudflare challenge
# What the Wayback Machine's availability API has: a snapshot of the dead Google post only.
WAYBACK = {
    "research.google/blog/beyond-accuracy-behavioral-testing-of-nlp-models/": "20230607041532",
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screenshot", help="save the admin's link-health page here (PNG)")
    parser.add_argument("--port", type=int, default=8810, help="for --screenshot's server")
    args = parser.parse_args()
    var = scratch_django(
        "fakeweb",
        own_sqlite=True,
        READLIST_LINKCHECK_HOST_INTERVAL="0.02",
        READLIST_ARXIV_MIN_INTERVAL="0.05",
    )
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import F
    from django.utils import timezone

    from curricula.archive import resources_find_archives, resources_find_replacements
    from curricula.arxiv.client import ArxivClient
    from curricula.arxiv.services import arxiv_fetch
    from curricula.linkhealth import services
    from curricula.models import Entry, LinkCheck, Resource, TitleCheck
    from curricula.verify import titles_verify
    from tests.curricula.arxiv_fake import AtomArxiv, Record

    call_command("load_bundled_curricula", stdout=open(os.devnull, "w"))  # noqa: SIM115

    curated: dict[int, str] = {}
    for entry in Entry.objects.active().exclude(resource=None).order_by("position"):
        curated.setdefault(entry.resource_id, entry.title)
    known = json.loads((ROOT / "bench" / "data" / "verify_papers.json").read_text())["papers"]
    records = {
        p["id"]: Record(p["id"], p["title"], p["abstract"], p["authors"], f"{p['year']}-06-01")
        for p in known
    }
    for resource in Resource.objects.exclude(arxiv_id=""):
        title = ARXIV_TITLES.get(resource.arxiv_id) or curated.get(resource.id) or "Some paper"
        records.setdefault(resource.arxiv_id, Record(resource.arxiv_id, title))
    for arxiv_id, title in ARXIV_TITLES.items():
        records.setdefault(arxiv_id, Record(arxiv_id, title))
    fake_arxiv = AtomArxiv(list(records.values()))

    pages: dict[tuple[str, str], str] = {}
    for resource in Resource.objects.all():
        parts = urlsplit(resource.url)
        title = curated.get(resource.id) or "Untitled"
        key = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        pages[(parts.hostname, key)] = f"{title} | {parts.hostname}"

    def page_html(host: str, path: str, title: str) -> bytes:
        """A page as sites write them: a description in the head or an opening paragraph."""
        head = f"<title>{escape(title)}</title>"
        body = "<nav><p>Home · Research · Blog · About · Careers · Sign in</p></nav>"
        kind, text = DESCRIPTIONS.get((host, path), ("", ""))
        if kind == "meta":
            head += f'<meta name="description" content="{escape(text)}">'
            head += f'<meta property="og:description" content="{escape(text)}">'
        elif kind == "og":
            head += f'<meta property="og:description" content="{escape(text)}">'
        elif kind == "p":
            body += f"<p>{escape(text)}</p>"
        return f"<html><head>{head}</head><body>{body}<footer>©</footer></body></html>".encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, status: int, headers: dict, body: bytes, ctype: str = "text/html") -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", f"{ctype}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            host = (self.headers.get("Host") or "").split(":")[0]
            path, _, query = self.path.partition("?")
            if host == "export.arxiv.org":
                from werkzeug.test import EnvironBuilder
                from werkzeug.wrappers import Request

                request = Request(EnvironBuilder(path=path, query_string=query).get_environ())
                response = fake_arxiv(request)
                self._send(response.status_code, {}, response.get_data(), "application/atom+xml")
                return
            if host == "archive.org" and path == "/wayback/available":
                asked = parse_qs(query).get("url", [""])[0]
                parts = urlsplit(asked)
                closest = {}
                for key, stamp in WAYBACK.items():
                    if key == f"{parts.hostname}{parts.path}":
                        closest["closest"] = {
                            "available": True,
                            "status": "200",
                            "timestamp": stamp,
                            "url": f"http://web.archive.org/web/{stamp}/https://{key}",
                        }
                body = json.dumps({"url": asked, "archived_snapshots": closest}).encode()
                self._send(200, {}, body, "application/json")
                return
            if host == "canary.readlist.test":
                self._send(200, {}, b"ok", "text/plain")
                return
            if (host, path) in SPECIAL_PAGES:
                status, headers, title = SPECIAL_PAGES[(host, path)]
                self._send(status, headers, page_html(host, path, title))
                return
            if host in BOT_WALL_HOSTS:
                body = (
                    b"<title>Just a moment...</title><script src='/cdn-cgi/challenge-platform/h'>"
                )
                self._send(403, {"cf-mitigated": "challenge"}, body)
                return
            kept = "&".join(p for p in query.split("&") if p and not p.startswith("_was="))
            title = pages.get((host, path + (f"?{kept}" if kept else "")))
            if title is None:
                self._send(404, {}, b"<title>Not found</title>")
                return
            self._send(200, {}, page_html(host, path, title))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    real_getaddrinfo = socket.getaddrinfo

    def fake_dns(host, port_, *args, **kwargs):
        # The whole web is this one local server.
        return real_getaddrinfo("127.0.0.1", port_, *args, **kwargs)

    socket.getaddrinfo = fake_dns
    settings.READLIST_ARXIV_API_URL = f"http://export.arxiv.org:{port}/api/query"
    settings.READLIST_LINKCHECK_CANARIES = [f"http://canary.readlist.test:{port}/"]
    settings.READLIST_WAYBACK_API_URL = f"http://archive.org:{port}/wayback/available"
    # Every link keeps its host and path; only scheme and port point at the fake web.
    original: dict[int, str] = {}
    for resource in Resource.objects.all():
        parts = urlsplit(resource.url)
        original[resource.id] = resource.url
        query = f"?{parts.query}" if parts.query else ""
        if parts.scheme == "http":  # http and https twins of one page stay apart
            query += ("&" if query else "?") + "_was=http"
        resource.url = f"http://{parts.hostname}:{port}{parts.path or '/'}{query}"
        resource.save(update_fields=["url"])
    for key in list(SPECIAL_PAGES):
        status, headers, title = SPECIAL_PAGES[key]
        if "Location" in headers and headers["Location"].startswith("http://"):
            loc = urlsplit(headers["Location"])
            headers["Location"] = f"http://{loc.hostname}:{port}{loc.path}"

    ids = list(Resource.objects.values_list("id", flat=True))
    print(f"{len(ids)} resources in the three curricula; checking against the fake web")
    for day in range(3):
        run = services.linkcheck_run(resource_ids=ids, trigger="fakeweb")
        print(f"run {day + 1}: inconclusive={run.inconclusive} {run.counts}")
        LinkCheck.objects.update(checked_at=F("checked_at") - timedelta(hours=25))
        Resource.objects.update(next_check_at=timezone.now())
    print(f"Wayback: {resources_find_archives()}")
    with ArxivClient() as client:
        counts = arxiv_fetch(resource_ids=ids, client=client)
        print(f"arXiv: {counts}")
        print(f"replacements for dead papers: {resources_find_replacements(client=client)}")
        pages_ids = list(Resource.objects.filter(arxiv_id="").values_list("id", flat=True))
        print(f"page titles: {titles_verify(resource_ids=pages_ids, client=client)}")

    print("\nLinks by health:")
    for value, label in Resource.Health.choices:
        print(f"  {label}: {Resource.objects.filter(health=value).count()}")
    print("\nLinks that are not OK:")
    for resource in Resource.objects.exclude(health="ok").order_by("health"):
        last = resource.checks.first()
        extra = f" → {resource.moved_to}" if resource.moved_to else ""
        status = last.status_code if last else "-"
        print(f"  {resource.health:8} HTTP {status}  {original[resource.id]}{extra}")
    print("\nWrong paper? (curated title vs real title, score, suggestions):")
    flagged = TitleCheck.objects.filter(status="mismatch").select_related("entry__curriculum")
    for check in flagged.order_by("entry__curriculum__slug", "entry__position"):
        print(f"  [{check.entry.curriculum.slug}] “{check.curated_title}”")
        print(f"      real ({check.source}): “{check.real_title}”  score {check.score}")
        print(f"      link: {original[check.entry.resource_id]}")
        for s in check.suggestions:
            print(f"      suggestion: {s['arxiv_id']} “{s['title']}” ({s['score']})")
    page_checks = list(
        TitleCheck.objects.filter(source="page").exclude(status="no_title").select_related("entry")
    )
    wrong_ids = {
        rid
        for rid, url in original.items()
        if (urlsplit(url).hostname, urlsplit(url).path or "/") in WRONG_PAGES
    }
    right = [c for c in page_checks if c.entry.resource_id not in wrong_ids]
    wrong = [c for c in page_checks if c.entry.resource_id in wrong_ids]
    described = Resource.objects.exclude(page_description="").count()
    print(
        f"\nWeb pages judged: {len(page_checks)} ({described} resources with a description); "
        f"right pages flagged: {sum(c.status == 'mismatch' for c in right)} of {len(right)}; "
        f"wrong pages flagged: {sum(c.status == 'mismatch' for c in wrong)} of {len(wrong)}"
    )
    for check in right:
        if check.status == "descriptive":
            print(f"  descriptive: “{check.curated_title}” — {'; '.join(check.evidence)}")
    print("\nOne resource under two titles in one curriculum:")
    for check in TitleCheck.objects.exclude(conflict_title="").select_related("entry__curriculum"):
        print(
            f"  [{check.entry.curriculum.slug}] “{check.curated_title}” also listed as "
            f"“{check.conflict_title}” ({original[check.entry.resource_id]})"
        )
    print("\nPapers whose real arXiv title this fake web knows (status, score):")
    known = TitleCheck.objects.filter(entry__resource__arxiv_id__in=list(ARXIV_TITLES))
    for check in known.select_related("entry__resource").order_by("entry__resource__arxiv_id"):
        print(
            f"  {check.entry.resource.arxiv_id} {check.status:8} {check.score}  "
            f"“{check.curated_title}” vs “{check.real_title}”"
        )
    not_found = Resource.objects.filter(arxiv_status="not_found")
    print(f"\narXiv ids not found: {[r.arxiv_id for r in not_found]}")
    server.shutdown()
    socket.getaddrinfo = real_getaddrinfo
    if args.screenshot:
        for resource in Resource.objects.all():
            # Real URLs back; a redirect's target loses the fake web's port.
            moved = resource.moved_to.replace(f":{port}/", "/").replace("http://", "https://")
            Resource.objects.filter(id=resource.id).update(
                url=original[resource.id], moved_to=moved if resource.moved_to else ""
            )
        screenshot(var, args.port, Path(args.screenshot))
    return 0


def screenshot(var: str, port: int, path: Path) -> None:
    """Serve the scratch database on `port` and save the admin's link-health page as `path`."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from playwright.sync_api import sync_playwright

    password = secrets.token_urlsafe(12)
    get_user_model().objects.create_superuser("admin", "admin@example.org", password)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "readlist.settings"}
    server = subprocess.Popen(  # noqa: S603 (our own manage.py, no shell)
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(var) / "runserver.log", "w"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"runserver stopped: see {var}/runserver.log") from None
                time.sleep(0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/admin/login/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", password)
            page.click("input[type=submit]")
            page.goto(base + reverse("admin:curricula_resource_linkhealth"))
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True)
            browser.close()
        print(f"\nlink-health page saved to {path}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
