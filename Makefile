# Readlist: `make run` for a local instance, `make test` for the test suite.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null || echo var/bootstrap/bin/uv)
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install run test test-fast lint format bench clean

help:
	@echo "make run    install, migrate, load the curricula, create demo accounts, serve on :$(PORT)"
	@echo "make test   run the whole test suite (set DATABASE_URL/REDIS_URL to use PostgreSQL/Redis)"
	@echo "make lint   ruff, mypy, makemigrations --check"

var/bootstrap/bin/uv:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Readlist needs Python >= 3.11")'
	$(PYTHON) -m venv var/bootstrap
	var/bootstrap/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced .env

# Local development settings; never used by the Docker image (see .dockerignore).
.env:
	@printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (DEBUG=1 and a random SECRET_KEY for this checkout)."

run: install
	$(PY) manage.py devserver --port $(PORT)

# The suite runs in TEST_WORKERS pytest-xdist processes, each with its own test database and
# Redis db (tests/parallel.py); TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= 3
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

BENCHES ?= import pages search dashboard linkcheck arxiv

# Each prints its figures and exits non-zero when it misses its target; use PostgreSQL for
# the figures that matter: DATABASE_URL=postgres://… make bench
bench: install
	@status=0; for name in $(BENCHES); do echo "== bench/$$name.py"; \
		$(PY) bench/$$name.py || status=1; done; exit $$status

clean:
	rm -rf $(VENV) var/bootstrap var/celery var/cache
