# The two commands a newcomer types: `make serve` and `make test`.
# Each creates or refreshes .venv on first use (and whenever pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
PORT ?= 8000
HOST ?= 127.0.0.1
REDIS ?=  # redis://HOST:PORT/DB: several workers share their sessions through it (docs/scaling.md)
WORKERS ?= 2  # worker processes with REDIS
DB ?=  # the SQLite file that keeps sessions; empty: backprop-lab's default (~/.local/share/backprop-lab/)

.PHONY: serve test bench chromium redis-server

# pip's own lines (Collecting, Downloading, Installing) show that a first install, about a minute, is working.
# Unbuffered, so each line shows as it happens through the filter; bash with pipefail: filtering pip's
# output must not hide that pip failed.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PIP_INSTALL = PYTHONUNBUFFERED=1 $(VENV)/bin/pip install --disable-pip-version-check --progress-bar off
HIDE_PIP_NOISE = sed -u '/is ignored: it is neither a file nor a directory/d'

$(VENV)/.installed: pyproject.toml
	@test -x $(VENV)/bin/python || { echo "Creating the virtual environment $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing Backprop Lab and what it needs into $(VENV) (about a minute the first time)"
	@$(PIP_INSTALL) -e . 2>&1 | $(HIDE_PIP_NOISE)
	@echo "Checking that it imports"
	@$(VENV)/bin/python -c "import engine, server, fastapi, uvicorn"
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	@echo "Installing the test tools (pytest, Playwright, hypothesis, ruff) into $(VENV)"
	@$(PIP_INSTALL) -e '.[test]' 2>&1 | $(HIDE_PIP_NOISE)
	@$(VENV)/bin/python -c "import pytest, playwright, hypothesis"
	@touch $@

serve: $(VENV)/.installed
	exec $(VENV)/bin/backprop-lab --host $(HOST) --port $(PORT) $(if $(strip $(DB)),--db $(DB)) \
		$(if $(strip $(REDIS)),--redis $(REDIS) --workers $(WORKERS))

# The browser tests drive Debian's Chromium; `playwright install` cannot download here.
chromium:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium fonts-liberation >/dev/null; }

# Debian's Redis, for the tests of several workers (they start their own redis-server on a free port).
redis-server:
	@command -v redis-server >/dev/null || { \
		echo "Installing Debian's redis-server for the tests of several workers"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			redis-server >/dev/null; }

# axe-core, pinned by tests/browser/axe/package-lock.json, for the accessibility tests only (never served).
AXE := tests/browser/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/axe/package-lock.json
	npm ci --prefix tests/browser/axe --no-audit --no-fund --silent
	test -f $@ && touch $@

test: $(VENV)/.installed-test $(VENV)/.installed-torch chromium redis-server $(AXE)
	$(VENV)/bin/ruff check .
	node --test --test-reporter=dot tests/js/
	$(VENV)/bin/python -m pytest

# PyTorch's CPU build, for the RNN's comparison test (tests/engine/test_rnn_torch.py) and bench/engine.py's
# comparison. The pin names the CPU build (torch==2.13.0+cpu, a file on this machine class's disk): a plain
# `torch` would pull a CUDA build of several GB. Where that file is missing the install fails, the torch test
# skips saying so, and the engine bench says it skipped PyTorch.
$(VENV)/.installed-torch: $(VENV)/.installed
	@$(VENV)/bin/python -c "import torch" 2>/dev/null || \
		$(VENV)/bin/pip install -q --disable-pip-version-check 'torch==2.13.0+cpu' 2>&1 | $(HIDE_PIP_NOISE) || \
		echo "PyTorch's CPU build (torch==2.13.0+cpu) is not available here:" \
			"the torch comparisons will skip"
	touch $@

# The bench extra.
$(VENV)/.installed-bench: $(VENV)/.installed-test $(VENV)/.installed-torch
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[bench]' 2>&1 | grep -v "is ignored" || true
	$(VENV)/bin/python -c "import threadpoolctl"
	touch $@

# Each script prints its figures beside baselines measured in the same run, and the load average.
# bench/browser.py --busy measures the page twice: on the machine as it is, then beside two CPU-bound processes.
bench: $(VENV)/.installed-bench chromium
	$(VENV)/bin/python bench/engine.py
	$(VENV)/bin/python bench/rewind.py
	$(VENV)/bin/python bench/race.py
	$(VENV)/bin/python bench/landscape.py
	$(VENV)/bin/python bench/explain.py
	$(VENV)/bin/python bench/server.py
	$(VENV)/bin/python bench/rnn.py
	$(VENV)/bin/python bench/browser.py --busy
	$(VENV)/bin/python bench/storage.py
	$(VENV)/bin/python bench/poll.py
	$(VENV)/bin/python bench/curvature.py
	$(VENV)/bin/python bench/sessionfile.py
	$(VENV)/bin/python bench/picture.py
