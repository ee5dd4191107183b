# The two commands of the README's quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
export FLASK_APP = wsgi

.PHONY: demo test install install-test browser migrations-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.test-installed

## make demo: install, migrate the SQLite default, load demo data, serve on :5000
demo: install
	FLASK_ENV=development $(BIN)/flask db upgrade
	FLASK_ENV=development $(BIN)/flask seed-demo
	@echo "Open http://127.0.0.1:5000/ and log in with one of the logins above."
	FLASK_ENV=development $(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: install what the tests need (Python packages; Debian's chromium when root) and run them
test: install-test browser
	$(BIN)/ruff check --quiet --select F meetings tests benchmarks scripts
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(PYTEST_ARGS)

browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

## make migrations-check: upgrade an empty database and compare models with migrations
migrations-check: install-test
	$(BIN)/python scripts/check_migrations.py
