# Two commands matter: `make run` and `make test`. Everything else is a convenience.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The TypeScript client test's tools (openapi-typescript, openapi-fetch, tsc), pinned by the lock file.
CLIENT_TS := clients/typescript
NODE_STAMP := $(CLIENT_TS)/node_modules/.installed-stamp
# The pages' GOV.UK Frontend (served by the app) and axe-core (for their browser tests), pinned by
# services/pages/frontend/package-lock.json.
PAGES_FRONTEND := services/pages/frontend
PAGES_STAMP := $(PAGES_FRONTEND)/node_modules/.installed-stamp

# Tests use the local services; testcontainers is the fallback where these are unset and Docker runs.
export TEST_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/policygov_test
export TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Test processes (pytest-xdist); each has its own database and Redis database (tests/conftest.py).
TEST_WORKERS ?= 4

.PHONY: install lock services kubectl pgbouncer chromium run test lint format openapi permissions bench faults clean

# Every package at the version and hash requirements-dev.lock names (make lock writes it from
# pyproject.toml), then this project itself, in place, with nothing more.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

$(NODE_STAMP): $(CLIENT_TS)/package.json $(CLIENT_TS)/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20) is needed for the TypeScript client test" >&2; exit 1; }
	cd $(CLIENT_TS) && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

$(PAGES_STAMP): $(PAGES_FRONTEND)/package.json $(PAGES_FRONTEND)/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20) is needed to install GOV.UK Frontend for the pages (services/pages/frontend)" >&2; exit 1; }
	cd $(PAGES_FRONTEND) && npm ci --no-audit --no-fund
	touch $(PAGES_STAMP)

install: $(STAMP)

# After a change to the dependencies in pyproject.toml: both lock files, for every platform.
# requirements.lock (the image's) is what the service needs, at the versions the dev lock chose.
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--quiet --custom-compile-command "make lock"
lock: install
	$(LOCK) --extra dev -o requirements-dev.lock
	$(LOCK) -c requirements-dev.lock -o requirements.lock

services:
	@deploy/ensure-services.sh

# tests/test_kubernetes.py renders deploy/kubernetes with kubectl's built-in kustomize.
kubectl:
	@command -v kubectl >/dev/null || { echo "kubectl (1.32, with its built-in kustomize) is needed for tests/test_kubernetes.py: install it from https://kubernetes.io/docs/tasks/tools/ (or apt-get install kubectl from pkgs.k8s.io)" >&2; exit 1; }

# For the tests that run the API behind PgBouncer (tests/api/test_pgbouncer.py).
pgbouncer:
	@deploy/ensure-pgbouncer.sh

# The pages' browser tests (tests/pages/) drive Debian's headless Chromium through its chromedriver.
chromium:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
		else \
			echo "chromium and chromedriver are needed for the pages' browser tests (tests/pages/): sudo apt-get install chromium chromium-driver (Debian), then make test again" >&2; exit 1; \
		fi; \
	fi

run: install $(PAGES_STAMP) services
	$(BIN)/policygov migrate
	$(BIN)/policygov seed-demo
	@$(BIN)/python -c "from services.domain.settings import get_settings; s = get_settings(); \
		print(f'API on http://{s.api_host}:{s.api_port} (docs at /docs); mail is written to {s.mail_dir}/. Ctrl-C stops.')"
	$(BIN)/policygov run --local-secret var/secret-key

lint: install
	$(BIN)/ruff check services tests migrations examples
	$(BIN)/ruff format --check services tests migrations examples
	$(BIN)/mypy services

# The TypeScript tools only for make test; make run needs Node.js only for the pages' frontend.
test: install $(NODE_STAMP) $(PAGES_STAMP) services kubectl pgbouncer chromium lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

format: install
	$(BIN)/ruff check --fix services tests migrations examples
	$(BIN)/ruff format services tests migrations examples

openapi: install
	$(BIN)/python -m services.api.openapi > openapi/openapi.json

permissions: install
	mkdir -p docs
	$(BIN)/python -m services.api.permissions > docs/permissions.md

bench: install services
	$(BIN)/python -m tests.bench.run

faults: install services
	$(BIN)/python -m tests.faults.run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
	rm -rf $(CLIENT_TS)/node_modules $(CLIENT_TS)/dist $(CLIENT_TS)/src/generated
	rm -rf $(PAGES_FRONTEND)/node_modules
