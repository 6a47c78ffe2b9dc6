# The front door of the project. `make run` serves the portal; `make test` runs the suite.
# Both start an embedded PostgreSQL and Redis when DATABASE_URL / REDIS_URL are unset.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STACK  := $(BIN)/python -m pengjiang_enforcement.devstack
DEPS   := $(VENV)/.deps-installed

.PHONY: help setup run test lint format bench backup restore up down messages check-python clean

help:
	@echo "make run     set up, start embedded services if needed, load demo data, serve http://127.0.0.1:8000"
	@echo "make test    set up, then run the whole suite against real PostgreSQL and Redis (ARGS=... for pytest)"
	@echo "make lint    ruff check and format, mypy, manage.py check, makemigrations --check, translations"
	@echo "make bench   run the benchmarks and print their figures"
	@echo "make backup  write the database and the uploaded files to one archive in var/backups (ARGS=\"--output PATH\")"
	@echo "make restore FILE=...     restore such an archive into an empty database and media folder"
	@echo "make up / make down   start / stop the embedded services"
	@echo "make messages         extract and compile translations"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "The venv module is missing: sudo apt-get install -y python3-venv"; exit 1; }

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(DEPS): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(DEPS)

run: setup
	$(STACK) run

# The suite runs on every core (pytest-xdist: each worker its own test database and Redis
# database) and names its 15 slowest tests at the end.
TEST_WORKERS ?= auto

test: setup
	$(STACK) test -n $(TEST_WORKERS) --dist worksteal --durations=15 $(ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(STACK) exec -- $(BIN)/mypy
	$(STACK) exec -- $(BIN)/python manage.py check --fail-level WARNING
	$(STACK) exec -- $(BIN)/python manage.py makemigrations --check --dry-run
	msgfmt --check -o /dev/null pengjiang_enforcement/locale/zh_Hans/LC_MESSAGES/django.po

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(STACK) exec -- $(BIN)/python -m tests.bench $(ARGS)

backup: setup
	$(STACK) exec -- $(BIN)/python manage.py backup $(ARGS)

restore: setup
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/pengjiang-....tar.gz [ARGS=--yes]"; exit 2; }
	$(STACK) exec -- $(BIN)/python manage.py restore "$(FILE)" $(ARGS)

up: setup
	$(STACK) up

down: setup
	$(STACK) down

messages: setup
	$(STACK) exec -- $(BIN)/python manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'var/*' --ignore '.run/*' --no-obsolete
	$(STACK) exec -- $(BIN)/python manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .run
