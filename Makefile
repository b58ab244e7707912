# Two commands matter: `make html` builds the guide, `make test` checks everything CI checks.
# The first run creates .venv; later runs reinstall only when requirements.txt or
# pyproject.toml change (the stamp file records the last install).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# MathJax and its font, served by the site itself (package.json pins them).
NODE_STAMP := node_modules/.installed
# Test-only Python packages (Playwright), and the browser the browser tests drive.
TEST_STAMP := $(VENV)/.installed-test
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
SPHINXBUILD := $(BIN)/sphinx-build
SPHINXOPTS ?=
BUILDDIR := _build

.PHONY: html doctest test lint pytest browser-test html-strict bench clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $(TEST_STAMP)

# Debian's chromium, installed once; tests/browser never downloads a browser.
$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

html: $(STAMP) $(NODE_STAMP)
	$(SPHINXBUILD) -b html -d $(BUILDDIR)/doctrees . $(BUILDDIR)/html $(SPHINXOPTS)

doctest: $(STAMP)
	$(SPHINXBUILD) -b doctest -d $(BUILDDIR)/doctrees . $(BUILDDIR)/doctest $(SPHINXOPTS)

# A fresh environment (-E) so that warnings from unchanged pages are seen again.
html-strict: $(STAMP) $(NODE_STAMP)
	$(SPHINXBUILD) -E -W --keep-going -b html -d $(BUILDDIR)/doctrees . $(BUILDDIR)/html $(SPHINXOPTS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest: $(STAMP) $(TEST_STAMP) $(NODE_STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -q

# Only the browser tests (tests/browser): screenshots land in _build/screenshots.
browser-test: $(STAMP) $(TEST_STAMP) $(NODE_STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -q tests/browser

test: lint pytest doctest html-strict

bench: $(STAMP)
	@echo "make bench: not yet; benchmarks arrive with the performance issue."

clean:
	rm -rf $(BUILDDIR) .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +
