# The Logbook backend. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
UV_VERSION := 0.13.9
# API documentation viewers, served locally so /docs and /redoc work offline (npm registry).
DOCS_ASSETS := build/docs-assets
SWAGGER_UI := swagger-ui-dist-5.35.0
SWAGGER_UI_PACKAGE := swagger-ui-dist@5.35.0
SWAGGER_UI_SHA256 := 1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6
REDOC := redoc-2.5.4
REDOC_PACKAGE := redoc@2.5.4
REDOC_SHA256 := 44922df4d0eb45c1b066c09ec251e6bd9bd7ded16bc69e87613337b9d911a56e

.DEFAULT_GOAL := help
# Python keeps compiled modules beside their sources (the gitignored __pycache__) even where the
# environment asks it not to: without them every test worker and every process of a test
# platform compiles what it imports again, and pytest rewrites every test module again in each
# worker (14 s of CPU per worker on this 2-core machine against 5 s with the caches).
unexport PYTHONDONTWRITEBYTECODE
.PHONY: help install run test test-deploy lint typecheck unit e2e bench fuzz fmt migration lock check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

# Headless Chromium for the browser tests (Debian's package; CI runs as root).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@command -v apt-get >/dev/null || (echo "install Chromium (Debian: apt-get install chromium)" && exit 1)
	apt-get install -y -qq chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

$(DOCS_ASSETS)/.stamp:
	@rm -rf $(DOCS_ASSETS) && mkdir -p $(DOCS_ASSETS)/pack
	cd $(DOCS_ASSETS)/pack && npm pack --silent $(SWAGGER_UI_PACKAGE) $(REDOC_PACKAGE) >/dev/null
	cd $(DOCS_ASSETS)/pack && printf '%s  %s\n' $(SWAGGER_UI_SHA256) $(SWAGGER_UI).tgz $(REDOC_SHA256) $(REDOC).tgz | sha256sum --check --quiet
	tar -xzf $(DOCS_ASSETS)/pack/$(SWAGGER_UI).tgz -C $(DOCS_ASSETS) --strip-components=1 package/swagger-ui-bundle.js package/swagger-ui.css
	tar -xzf $(DOCS_ASSETS)/pack/$(REDOC).tgz -C $(DOCS_ASSETS) --strip-components=2 package/bundles/redoc.standalone.js
	@rm -rf $(DOCS_ASSETS)/pack && touch $@

install: $(STAMP) $(DOCS_ASSETS)/.stamp ## create .venv and install the pinned dependencies

run: $(STAMP) ## run the whole platform (gateway on 127.0.0.1:8080) in the foreground
	@# The docs viewers come from the npm registry: without npm the platform still runs.
	@$(MAKE) --no-print-directory $(DOCS_ASSETS)/.stamp || echo "note: no API docs viewers (npm missing?); /docs and /redoc will be blank"
	$(BIN)/logbook run

test: $(STAMP) $(DOCS_ASSETS)/.stamp $(CHROMIUM) ## lint, type-check and run the whole test suite
	@# The checks run beside the tests (which leave a core partly idle while they wait on
	@# processes) and print their few lines first; any failure fails the target. No output
	@# sync: it would hold back pytest's progress until the whole run ends.
	@$(MAKE) --no-print-directory -j3 lint typecheck unit

test-deploy: $(STAMP) $(DOCS_ASSETS)/.stamp ## build, start and use deploy/compose.yaml for real, then scaled out (installs Docker if missing)
	$(BIN)/python deploy/test/run.py
	$(BIN)/python deploy/test/scale.py

check: test ## what CI runs

lint: $(STAMP) ## ruff (lint and format check) and the import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP) ## mypy, strict
	$(BIN)/mypy launcher/src shared/src services/auth/src services/api/src services/health/src

unit: $(STAMP) $(DOCS_ASSETS)/.stamp $(CHROMIUM) ## pytest against the local MariaDB, Redis and NATS, with line coverage
	$(BIN)/pytest --cov --cov-report=term:skip-covered --durations=25

e2e: $(STAMP) ## only the end-to-end tests (real processes behind Caddy)
	$(BIN)/pytest -m e2e

bench: $(STAMP) ## benchmarks through the gateway; appends the figures to docs/BENCHMARKS.md (BENCH_RECORD=0: print only)
	$(BIN)/python -m bench.auth
	$(BIN)/python -m bench.members
	$(BIN)/python -m bench.notifications
	$(BIN)/python -m bench.inventory
	$(BIN)/python -m bench.events
	$(BIN)/python -m bench.training
	$(BIN)/python -m bench.gateway
	$(BIN)/python -m bench.memory

fuzz: $(STAMP) ## release check: 20,000 schemathesis cases through the gateway; prints the figures
	$(BIN)/python -m tests.fuzz.run --cases 20000

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
