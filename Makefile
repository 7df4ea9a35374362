# Wishpool: `make run` serves the demo, `make test` runs the suite. `make help` lists the rest.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: help install run serve seed messages fonts test lint format lock clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked packages

messages: $(STAMP) ## Compile the translations (zh-hans, en)
	$(PY) manage.py compile_translations

fonts: $(STAMP) ## Build the PDFs' cut-down CJK font from the host's Noto Sans CJK SC (once)
	$(PY) manage.py pdf_fonts

run: install messages fonts ## Set up SQLite, load demo data, serve web + Celery worker + beat on :8000
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --no-input -v 0
	@bash site/deploy/dev-run.sh

seed: install ## Load the demo data (safe to run twice)
	$(PY) manage.py seed_demo

test: install messages fonts ## Run the test suite (PostgreSQL and Redis when they answer)
	@bash site/deploy/test-run.sh $(ARGS)

lint: install ## ruff (lint + format check), mypy and the layer contracts (lint-imports)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: install ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: ## Re-resolve pyproject.toml into requirements.lock
	rm -rf /tmp/wishpool-lock && $(PYTHON) -m venv /tmp/wishpool-lock
	/tmp/wishpool-lock/bin/pip install --quiet ".[dev]"
	/tmp/wishpool-lock/bin/pip freeze --exclude-editable | grep -v -e '^pip==' -e '^wishpool' > requirements.lock

clean: ## Remove the venv and local data
	rm -rf $(VENV) var staticfiles media
