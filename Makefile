# Lianyan's front door. `make run` and `make test` do all their own set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIN := constraints.txt
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run serve migrate demo test test-sqlite test-postgres lint bench clean
.PHONY: report-samples

help: ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml $(PIN)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(PIN) -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev tools

migrate: install ## run database migrations
	$(BIN)/lianyan migrate

demo: migrate ## load the demo city (once) and print the logins
	$(BIN)/lianyan demo --host $(HOST) --port $(PORT)

run: demo ## install, migrate, load demo data, serve on http://127.0.0.1:8000
	$(BIN)/lianyan serve --host $(HOST) --port $(PORT)

# Two workers (the machines have two cores); each has its own database and S3 server.
PYTEST := $(BIN)/python -m pytest -n 2 --dist loadfile

# Tests that never touch the database: run once (SQLite run), not again on PostgreSQL.
DB_FREE := --ignore=tests/reports/test_writer.py --ignore=tests/files/test_sniff.py \
	--ignore=tests/exchanges/test_pairing.py --ignore=tests/test_settings.py \
	--ignore=tests/files/test_store.py --ignore=tests/test_sqlite_pool.py \
	--ignore=tests/test_layers.py

# The bounded schemathesis run (every operation, three roles) runs once, on PostgreSQL.
FUZZ := tests/web/test_schema_fuzz.py

test: install ## run the whole suite (SQLite; PostgreSQL too when LIANYAN_TEST_POSTGRES_URL is set)
	$(PYTEST) --ignore=$(FUZZ)
	@if [ -n "$$LIANYAN_TEST_POSTGRES_URL" ]; then \
	  echo "== again on PostgreSQL"; \
	  LIANYAN_TEST_ENGINE=postgres $(PYTEST) -m "not browser" $(DB_FREE); \
	fi

lint: install ## ruff, mypy and the import contracts (.importlinter)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install ## run the benchmarks in tests/bench (figures go in docs/benchmarks.md)
	@for b in tests/bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

report-samples: install ## render page one of every Word report to docs/reports/*.png (needs soffice, pdftoppm)
	$(BIN)/python tests/bench/render_reports.py

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) var
