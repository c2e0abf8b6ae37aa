# spotifydl: `make run` serves the app, `make test` runs every test. Both set everything up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
TEST_DATA := $(CURDIR)/.test-data
TEST_ENV := DATA_DIR=$(TEST_DATA) MUSIC_ROOT=$(TEST_DATA)/music
# Two test processes (pytest-xdist): most tests wait on the sandbox, a server or a subprocess, so
# two keep a 2-core machine busy (each with its own database, sandbox and DATA_DIR).
TEST_PROCESSES ?= 2
PYTEST := env $(TEST_ENV) $(PY) -m pytest -n $(TEST_PROCESSES)

.PHONY: help run test test-sqlite test-postgres lint format static migrate clean bench update-ytdlp

help:
	@echo "make run            set up and serve http://127.0.0.1:8000/ (demo mode without Spotify credentials)"
	@echo "make test           set up, lint, and run every test (SQLite, then PostgreSQL), browser tests included"
	@echo "make test-postgres  run the suite against a throwaway PostgreSQL cluster"
	@echo "make lint           ruff and mypy"
	@echo "make bench          run the benchmarks (~9 min), results in bench/results.json"
	@echo "make update-ytdlp   install the newest yt-dlp that resolves and pin it in requirements.txt"

$(PY):
	@python=$$(scripts/find-python) && echo "Creating $(VENV) with $$python" && "$$python" -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PIP) install -r requirements.txt 2>&1 | { grep -v "^WARNING: Location" || true; }; exit $${PIPESTATUS[0]}
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -r requirements-dev.txt 2>&1 | { grep -v "^WARNING: Location" || true; }; exit $${PIPESTATUS[0]}
	@touch $(RUNTIME_STAMP) $@

migrate: $(RUNTIME_STAMP)
	$(PY) manage.py migrate --noinput

static: $(RUNTIME_STAMP)
	$(PY) manage.py collectstatic --noinput -v 0

run: migrate static
	$(PY) manage.py serve

test: lint test-sqlite test-postgres

test-sqlite: $(DEV_STAMP) static
	@scripts/ensure-chromium
	$(PYTEST)

# Browser and slow tests exercise no database-specific behaviour and already ran on SQLite;
# tests/conftest.py also leaves out, on PostgreSQL, the tests that use no database at all.
test-postgres: $(DEV_STAMP) static
	scripts/with-postgres $(PYTEST) -m "not browser and not slow"

lint: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .

format: $(DEV_STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(DEV_STAMP) static
	$(PY) -m bench

# YouTube breaks old yt-dlp releases within weeks: the newest release that resolves with our other
# pins is installed, then written back as the pin (Docker: `docker compose build` afterwards).
update-ytdlp: | $(PY)
	$(PIP) install --upgrade "yt-dlp[default]" \
		-c <(grep -v '^yt-dlp' requirements.txt | sed -E 's/\[[^]]*\]//')
	@version=$$($(PY) -c 'from importlib.metadata import version; print(version("yt-dlp"))') && \
	sed -i.bak -E "s/^yt-dlp\[default\]==.*/yt-dlp[default]==$$version/" requirements.txt && \
	rm -f requirements.txt.bak && touch $(RUNTIME_STAMP) && \
	echo "yt-dlp $$version installed and pinned in requirements.txt"

clean:
	rm -rf $(TEST_DATA) staticfiles
