"""Fixtures shared by every test module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import factories, parallel

REPO = Path(__file__).resolve().parent.parent


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    parallel.setup_nodes(config, specs)


if parallel.TEMPLATE_ENV in os.environ:  # an xdist worker on PostgreSQL (tests/parallel.py)
    django_db_setup = parallel.django_db_setup


@pytest.fixture
def owner(db):
    return factories.make_user("owner")


@pytest.fixture
def member(db):
    return factories.make_user("member")


@pytest.fixture
def outsider(db):
    return factories.make_user("outsider")


@pytest.fixture
def admin_user(db):
    return factories.make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _fresh_page_memo():
    """Each test starts with nothing cached by content_version (notes/cached.py) or by a
    team's BoardVersion (teams/selectors.py): test databases give ids and versions again that
    another test's data had."""
    from notes import cached
    from teams import selectors

    cached.memo.clear()
    selectors.memo.clear()


@pytest.fixture(autouse=True)
def _isolated_var_dir(settings, tmp_path):
    """Nothing a test writes lands in the developer's var/ or a shared cache.

    Each test gets its own in-memory cache, so rate-limit counters and held uploads never
    carry over between tests or runs (the file cache and Redis would keep them).
    """
    # A deliberately weak, fast hasher: the real one costs ~0.5 s per user made on this machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
    }
