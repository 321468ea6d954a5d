# The Logbook backend. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
UV_VERSION := 0.13.9

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck unit e2e bench fmt migration lock check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

install: $(STAMP) ## create .venv and install the pinned dependencies

run: $(STAMP) ## run the whole platform (gateway on 127.0.0.1:8080) in the foreground
	$(BIN)/logbook run

test: lint typecheck unit ## lint, type-check and run the whole test suite

check: test ## what CI runs

lint: $(STAMP) ## ruff (lint and format check) and the import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP) ## mypy, strict
	$(BIN)/mypy shared/src services/auth/src services/api/src services/health/src

unit: $(STAMP) ## pytest against the local MariaDB, Redis and NATS
	$(BIN)/pytest

e2e: $(STAMP) ## only the end-to-end tests (real processes behind Caddy)
	$(BIN)/pytest -m e2e

bench: $(STAMP) ## benchmarks through the gateway; appends the figures to docs/BENCHMARKS.md
	$(BIN)/python -m bench.auth

fmt: $(STAMP) ## format and auto-fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migration: $(STAMP) ## new Alembic revision from the models: make migration m="what changed"
	@test -n "$(m)" || (echo 'usage: make migration m="what changed"' && exit 2)
	DATABASE_URL=sqlite+aiosqlite:///var/autogen.db $(BIN)/logbook migrate
	DATABASE_URL=sqlite+aiosqlite:///var/autogen.db $(BIN)/alembic revision --autogenerate -m "$(m)"

lock: ## re-pin dependencies after editing pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 -o requirements-runtime.lock

clean: ## remove the virtual environment and local data (var/)
	rm -rf $(VENV) var
