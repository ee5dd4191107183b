# The two commands of the README's quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 5000
BIN     = $(VENV)/bin
export FLASK_APP = wsgi

.PHONY: demo test install install-test browser fonts migrations-check bench lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# requirements.lock pins every transitive dependency (scripts/lock.sh writes it)
$(VENV)/.installed: requirements.txt requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt -c requirements.lock
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -r requirements-test.txt -c requirements.lock
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.test-installed

## make demo [PORT=8080]: install, migrate the SQLite default, load demo data, serve on :$(PORT) (5000)
demo: install
	FLASK_ENV=development $(BIN)/flask db upgrade
	FLASK_ENV=development $(BIN)/flask seed-demo
	@echo "Open http://127.0.0.1:$(PORT)/ and log in with one of the logins above."
	FLASK_ENV=development $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## make test: install what the tests need (Python packages; Debian's chromium when root) and run them
test: install-test browser fonts
	$(BIN)/ruff check --quiet meetings tests benchmarks scripts  # pyproject.toml: E, F, B, SIM at 120 columns
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(PYTEST_ARGS)

browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

## the CJK TrueType font the container ships (PDF_FONT), for the embedded-font test
fonts:
	@if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's fonts-wqy-microhei for the embedded-font test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; \
	fi

## make migrations-check: upgrade an empty database and compare models with migrations
migrations-check: install-test
	$(BIN)/python scripts/check_migrations.py

## make bench: every benchmark once, one table of figure, value, floor, ratio and bar (slow: ~10 min)
bench: install-test
	$(BIN)/python benchmarks/bench.py

## make lock: re-pin every transitive dependency after changing requirements*.txt
lock:
	scripts/lock.sh
