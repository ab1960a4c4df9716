# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test install install-dev migrate demo lint format vendor benchmark loadtest fuzz backup restore clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Development site on SQLite with demo data, the background worker, and runserver.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite (unit, integration, browser when Chromium is installed).
test: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Re-copy front-end assets from the npm registry into static/vendor (needs npm).
vendor:
	bash scripts/vendor_assets.sh

# Imports, pages and exports measured in a throwaway database (JSON on stdout).
benchmark: install-dev
	DEBUG=$${DEBUG-1} $(PY) manage.py benchmark $(if $(QUICK),--quick) --json

# Keeps var/backups/: a clean checkout should never cost a backup.
clean:
	rm -rf $(VENV) staticfiles var/uploads var/fuzz var/loadtest db.sqlite3 db.sqlite3-*

# Whole-database backup into var/backups/ (SQLite: online copy; PostgreSQL: pg_dump -Fc).
# Uses the environment's DATABASE_URL; DEBUG defaults to 1 only so that a dev
# machine needs no SECRET_KEY — it changes nothing about the backup itself.
backup: install
	DEBUG=$${DEBUG-1} $(PY) manage.py backup_db $(if $(FILE),--output "$(FILE)")

# Replace the whole database with a backup: make restore FILE=var/backups/….
# Stop the site and db_worker first; the current data is saved as pre-restore-… .
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/ledger-….sqlite3|.pgdump" >&2; exit 2; }
	DEBUG=$${DEBUG-1} $(PY) manage.py restore_db "$(FILE)" --noinput

# The importers against 10,000 broken files (2 worker processes; about 7 minutes on 2 idle cores).
fuzz: install-dev
	$(PY) scripts/fuzz_importers.py $(if $(N),--count $(N))

# 200 clerks + 10 leaders for 60 s against gunicorn on 127.0.0.1 (PostgreSQL ledger_load).
loadtest: install-dev
	bash scripts/loadtest.sh
