# Mystery Patient — everyday commands. `make run` and `make test` work on a fresh clone.
#
# Variables (override on the command line, e.g. `make run MP_PORT=9000`):
#   PYTHON       interpreter used to create the virtualenv (default: python3, 3.11+)
#   VENV         virtualenv directory (default: .venv)
#   MP_HOST      address `make run` listens on (default: 127.0.0.1)
#   MP_PORT      port `make run` listens on (default: 8000)
#   PYTEST_ARGS  extra pytest arguments for `make test`, e.g. PYTEST_ARGS="-k scoring -x"
# Other MP_* settings (MP_DATABASE_URL, MP_MEDIA_DIR, ...) are read by the app from the environment.

PYTHON ?= python3
VENV ?= .venv
MP_HOST ?= 127.0.0.1
MP_PORT ?= 8000
PYTEST_ARGS ?=

BIN := $(VENV)/bin
# Touched after a successful install: the install step reruns only when pyproject.toml changes
# (or the virtualenv is deleted).
STAMP := $(VENV)/.installed
LOCALES := app/locales

.DEFAULT_GOAL := help
.PHONY: help install run test bench bench-jobs soak topology lint deps-lowest messages compile-messages clean

help:
	@echo "make run               install, migrate, load checklists + demo data, serve on http://$(MP_HOST):$(MP_PORT)"
	@echo "make test              the whole test suite (TEST_DATABASE_URL=postgresql+psycopg://... for PostgreSQL)"
	@echo "make bench             the benchmarks"
	@echo "make bench-jobs        autosave and /healthz latency while PDFs and exports run as jobs (1 M answers)"
	@echo "make soak              50 shoppers saving through cut connections and SIGKILLs: nothing lost (SOAK_ARGS=...)"
	@echo "make topology          the soak through nginx, two app servers, PostgreSQL and S3, one server SIGKILLed (TOPOLOGY_ARGS=...)"
	@echo "make lint              ruff + mypy"
	@echo "make deps-lowest       tests on the oldest releases pyproject.toml allows (a throwaway venv, uv)"
	@echo "make messages          extract translatable strings and update the catalogs"
	@echo "make compile-messages  compile the catalogs (.po -> .mo)"
	@echo "make clean             remove the virtualenv, caches and build output (keeps var/)"

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e ".[dev]"
	touch $@

run: $(STAMP)
	$(BIN)/mystery-patient serve --demo --host $(MP_HOST) --port $(MP_PORT)

# pytest exits 5 when it collected no test: report that plainly and fail.
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS) || { rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit 5)" >&2; fi; \
	  exit $$rc; }

bench: $(STAMP)
	@if [ -f bench/run.py ]; then $(BIN)/python bench/run.py; \
	else echo "No benchmarks yet (bench/run.py does not exist)."; fi

# BENCH_JOBS_ARGS="--clinics 20" for a quick run; BENCH_PG_URL=postgresql+psycopg://... adds PostgreSQL.
BENCH_JOBS_ARGS ?=
bench-jobs: $(STAMP)
	$(BIN)/python bench/jobs.py $(BENCH_JOBS_ARGS)

# No answer lost under cut connections and SIGKILLs (a few minutes, traffic to 127.0.0.1 only).
# SOAK_ARGS="--database postgresql+psycopg://postgres@127.0.0.1:5432/postgres" runs it on PostgreSQL.
SOAK_ARGS ?=
soak: $(STAMP)
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

# The scale-out topology on this machine (docs/scaling.md): nginx on a local port, two app processes,
# a fresh PostgreSQL database next to TOPOLOGY_DATABASE, SeaweedFS; 50 shoppers, app 1 SIGKILLed and
# restarted during the run. Needs nginx (Debian's package) and a PostgreSQL server.
TOPOLOGY_DATABASE ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
TOPOLOGY_ARGS ?=
topology: $(STAMP)
	$(BIN)/python bench/topology.py --database $(TOPOLOGY_DATABASE) $(TOPOLOGY_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app tests
	$(BIN)/mypy app

# The lower bounds in pyproject.toml are claims: install exactly the oldest allowed release of every
# direct dependency (uv's lowest-direct resolution) into a throwaway virtualenv and run a subset that
# touches each of them (docs/dependencies.md). A few minutes; not part of .ci/run.
LOWEST_VENV ?= $(or $(TMPDIR),/tmp)/mystery-patient-lowest
DEPS_LOWEST_TESTS ?= tests/test_dependency_bounds.py tests/test_health.py tests/test_migrations.py \
  tests/accounts/test_admin_users.py tests/accounts/test_scope_fails_closed.py tests/accounts/test_cli_users.py \
  tests/reports/test_exports.py tests/fieldwork/test_evidence.py tests/i18n
deps-lowest: $(STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet uv
	rm -rf $(LOWEST_VENV)
	$(BIN)/uv venv --quiet --python $(BIN)/python $(LOWEST_VENV)
	VIRTUAL_ENV=$(LOWEST_VENV) $(BIN)/uv pip install --quiet --resolution lowest-direct -e ".[dev]"
	VIRTUAL_ENV=$(LOWEST_VENV) $(BIN)/uv pip list | grep -iE '^(fastapi|starlette|sqlalchemy|sqlmodel|pydantic|babel|typer|jinja2-fragments|pytest) '
	HYPOTHESIS_STORAGE_DIRECTORY=$(LOWEST_VENV)/hypothesis $(LOWEST_VENV)/bin/pytest -q $(DEPS_LOWEST_TESTS)

# Translations: `make messages` extracts every marked string (app/**.py, templates/**.html) into
# $(LOCALES)/messages.pot, merges it into each catalog (new strings arrive with an empty msgstr, existing
# translations are kept, strings no longer in the code are dropped), compiles, and prints what is left.
# Then translate the empty entries of $(LOCALES)/ru/LC_MESSAGES/messages.po, run `make compile-messages`
# and commit the .po and .mo files (the app loads the .mo). tests/i18n fails while any is missing.
CATALOGS := ru en

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --project="Mystery Patient" --add-location=file --width=100 \
	  -o $(LOCALES)/messages.pot .
	for lang in $(CATALOGS); do \
	  $(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) -l $$lang --init-missing \
	    --no-fuzzy-matching --ignore-obsolete --width=100 || exit 1; \
	done
	$(BIN)/pybabel compile -d $(LOCALES) --statistics

compile-messages: $(STAMP)
	$(BIN)/pybabel compile -d $(LOCALES) --statistics

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
