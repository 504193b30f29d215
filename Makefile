# Kho giải pháp DVCTT: one entry point for setting up, running and testing the site.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
SERVE_PORT ?= 8001
export DJANGO_SETTINGS_MODULE ?= kb.settings.dev
# What the set-up steps print (pip, migrations, the seed) goes here, one file per step, rewritten
# each time; the terminal gets one line per step naming its log, and a failed step's whole log.
LOG_DIR ?= var/log
STEP := bash scripts/step.sh

.DEFAULT_GOAL := help
.PHONY: help install setup run serve seed migrate test check lint format messages services services-stop clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(STEP) "Môi trường Python ($(VENV))" $(LOG_DIR)/venv.log \
	  sh -c '$(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --upgrade pip'

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(STEP) "Thư viện (pip install)" $(LOG_DIR)/install.log \
	  $(BIN)/python -m pip install --progress-bar off -e ".[test]"
	@touch $@

# Read before anything runs: whether the rule above has nothing to do, so that `install` can say so.
INSTALLED := $(shell [ $(VENV)/.installed -nt pyproject.toml ] && echo yes)

install: $(VENV)/.installed ## Create the virtualenv and install the project with its test tools
	@$(if $(INSTALLED),echo "  Thư viện … đã cài")

migrate: install ## Apply database migrations
	@$(STEP) "Cơ sở dữ liệu (migrate)" $(LOG_DIR)/migrate.log \
	  $(BIN)/python manage.py migrate --no-input

seed: migrate ## Load reference data and the demo catalogue (safe to repeat)
	@$(STEP) "Dữ liệu tham chiếu và danh mục mẫu" $(LOG_DIR)/seed.log \
	  $(BIN)/python manage.py load_seed
	@if [ -n "$$ELASTICSEARCH_URL" ]; then \
	  $(STEP) "Chỉ mục tìm kiếm (Elasticsearch)" $(LOG_DIR)/search.log \
	    $(BIN)/python manage.py search_rebuild; fi

# The admin's links (e-mails, the demo box) name the port the server listens on.
setup run: export WAGTAILADMIN_BASE_URL ?= http://127.0.0.1:$(PORT)

setup: seed ## Everything `make run` does before serving, ending with the demo logins
	@$(STEP) "Bản sao dữ liệu công khai (publish_snapshot)" $(LOG_DIR)/snapshot.log \
	  $(BIN)/python manage.py publish_snapshot
	@$(STEP) --show "Tài khoản minh họa" $(LOG_DIR)/accounts.log \
	  $(BIN)/python manage.py seed_demo_accounts

run: setup ## Set up and serve the site on http://127.0.0.1:$(PORT) with its import worker (SQLite unless DATABASE_URL is set)
	@# The admin imports run in the background worker; it stops with the server. It reloads on
	@# code changes as the server does, and writes to its log so the terminal is the server's.
	@$(BIN)/python manage.py db_worker --backend background --queue-name '*' >$(LOG_DIR)/worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

serve: install ## Production settings and gunicorn on 127.0.0.1:$(SERVE_PORT), against the services of `make services`, static files collected
	@SERVE_PORT=$(SERVE_PORT) BIN=$(BIN) bash scripts/serve.sh

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

services: ## Install and start PostgreSQL, Elasticsearch (one node and a cluster of three), Redis, the object store and Chromium; writes .services.env
	bash scripts/services/up.sh

services-stop: ## Stop PostgreSQL, Elasticsearch, Redis and the object store
	bash scripts/services/down.sh

clean: ## Remove the virtualenv, the SQLite database and generated files
	rm -rf $(VENV) db.sqlite3 var .pytest_cache .ruff_cache
