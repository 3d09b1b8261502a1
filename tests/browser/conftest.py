"""Playwright against Debian's Chromium; skipped (or failed, in CI) when Chromium is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("READLIST_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are
    # still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def screenshots() -> Path:
    """The repository's var/screenshots/ (not the per-test VAR_DIR): people look at these."""
    path = Path(settings.BASE_DIR) / "var" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Shots:
    """Full-page screenshots named prefix + name under var/screenshots/, remembered so a test
    can check at the end that each one was drawn."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder, self.prefix, self.paths = folder, prefix, []

    def __call__(self, page, name: str) -> None:
        path = self.folder / f"{self.prefix}{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.paths.append(path)


@pytest.fixture
def shots(screenshots):
    """shots("issue14-") gives a callable shot(page, name) that keeps its paths in .paths."""
    return lambda prefix: Shots(screenshots, prefix)
