# The two commands a newcomer types: `make serve` and `make test`.
# Each creates or refreshes .venv on first use (and whenever pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: serve test bench chromium

$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -e . 2>&1 | grep -v "is ignored" || true
	$(VENV)/bin/python -c "import engine, server, fastapi, uvicorn"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v "is ignored" || true
	$(VENV)/bin/python -c "import pytest, playwright, hypothesis"
	touch $@

serve: $(VENV)/.installed
	$(VENV)/bin/backprop-lab --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium; `playwright install` cannot download here.
chromium:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium fonts-liberation >/dev/null; }

test: $(VENV)/.installed-test chromium
	$(VENV)/bin/ruff check .
	node --test tests/js/
	$(VENV)/bin/python -m pytest

bench: $(VENV)/.installed-test
	$(VENV)/bin/python bench/engine.py
	$(VENV)/bin/python bench/landscape.py
	$(VENV)/bin/python bench/server.py
	$(VENV)/bin/python bench/browser.py
