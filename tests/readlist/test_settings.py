"""Settings come from the environment and refuse bad values by name."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from readlist import env
from tests.conftest import REPO


def _manage(*args: str, **environ: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTEST"))}
    clean.update(environ)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "readlist.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
        "READLIST_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "",
    }


def test_deploy_check_is_clean_with_production_settings(production_env):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "needle"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("DATABASE_URL", "mysql://db/readlist", "DATABASE_URL must be a URL"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must be a URL"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be a whole number"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE is not a known time zone"),
        ("EMAIL_BACKEND", "pigeon", "EMAIL_BACKEND must be one of"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(production_env, name, value, needle):
    result = _manage("check", **{**production_env, name: value})
    assert result.returncode != 0
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_key_is_required_when_debug_is_off(production_env, tmp_path):
    environ = {**production_env, "SECRET_KEY": ""}
    # Run from a copy of the settings' point of view without the checkout's .env.
    result = subprocess.run(
        [sys.executable, "-c", "import readlist.settings"],
        cwd=REPO,
        env={
            **{k: v for k, v in os.environ.items() if k != "SECRET_KEY"},
            **environ,
            "READLIST_DOTENV": str(tmp_path / "none.env"),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_env_bool_accepts_common_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env.env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env.env_bool("X_FLAG", True) is False


def test_env_int_enforces_minimum(monkeypatch):
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="X_NUM must be at least 1"):
        env.env_int("X_NUM", 5, minimum=1)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.example , b.example,, ")
    assert env.env_list("X_LIST") == ["a.example", "b.example"]
