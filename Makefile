# Kho giải pháp DVCTT: one entry point for setting up, running and testing the site.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= kb.settings.dev

.DEFAULT_GOAL := help
.PHONY: help install run seed migrate test check lint format messages services services-stop clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed ## Create the virtualenv and install the project with its test tools

migrate: install ## Apply database migrations
	$(BIN)/python manage.py migrate --no-input

seed: migrate ## Load reference data and the demo catalogue (safe to repeat)
	$(BIN)/python manage.py load_seed
	@if [ -n "$$ELASTICSEARCH_URL" ]; then $(BIN)/python manage.py search_rebuild; fi

run: seed ## Set up and serve the site on http://127.0.0.1:$(PORT) with its import worker (SQLite unless DATABASE_URL is set)
	$(BIN)/python manage.py seed_demo_accounts
	@# The admin imports run in the background worker; it stops with the server.
	$(BIN)/python manage.py db_worker --backend imports --verbosity 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

check: install ## Lint, Django system checks and migration drift
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=kb.settings.production \
	  SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  ALLOWED_HOSTS=example.org DATABASE_URL=sqlite:///:memory: \
	  REDIS_URL=redis://127.0.0.1:6379/0 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

test: install ## Set up and run the whole test suite (uses .services.env when `make services` wrote one)
	bash scripts/run-tests.sh $(BIN)

lint: check ## Alias of check

messages: ## Compile locale/vi (Vietnamese for Wagtail admin strings its catalogue lacks)
	msgfmt --check-format -o locale/vi/LC_MESSAGES/django.mo locale/vi/LC_MESSAGES/django.po
	msgfmt --check-format -o locale/vi/LC_MESSAGES/djangojs.mo locale/vi/LC_MESSAGES/djangojs.po

format: install ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

services: ## Install and start PostgreSQL, Elasticsearch, Redis and Chromium; writes .services.env
	bash scripts/services/up.sh

services-stop: ## Stop PostgreSQL, Elasticsearch and Redis
	bash scripts/services/down.sh

clean: ## Remove the virtualenv, the SQLite database and generated files
	rm -rf $(VENV) db.sqlite3 var .pytest_cache .ruff_cache
