# Two commands matter: `make html` builds the guide, `make test` checks everything CI checks.
# The first run creates .venv. `make html` installs only what the site needs
# (requirements.txt, this package and the codediff extension, and MathJax from
# package.json with npm); the test targets add requirements-test.txt and
# Debian's chromium for the browser tests. Stamp files record each install, so
# nothing reinstalls until its inputs change.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITE_STAMP := $(VENV)/.site-installed
TEST_STAMP := $(VENV)/.test-installed
# MathJax and its font, served by the site itself (package.json pins them).
NODE_STAMP := node_modules/.installed
SPHINXBUILD := $(BIN)/sphinx-build
SPHINXOPTS ?=
BUILDDIR := _build
# The package's wheel, offered for download by the site (conf.py: html_extra_path).
WHEEL_STAMP := $(BUILDDIR)/wheel.stamp
PACKAGE_FILES := pyproject.toml README.md $(shell find src -type f -not -path '*/__pycache__/*')
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: html doctest test lint pytest browser-test html-strict bench device-check results results-check guide-experiments min-versions reader-env clean

$(SITE_STAMP): requirements.txt pyproject.toml _ext/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e . -e ./_ext
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(TEST_STAMP): $(SITE_STAMP) requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

# Debian's chromium drives the browser tests; no browser is ever downloaded.
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(WHEEL_STAMP): $(SITE_STAMP) $(PACKAGE_FILES)
	rm -rf $(BUILDDIR)/wheel build
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir $(BUILDDIR)/wheel .
	touch $@

SITE_INPUTS := $(SITE_STAMP) $(NODE_STAMP) $(WHEEL_STAMP)

# A persistent JAX compilation cache for the site builds, so that a build
# compiles nothing an earlier one compiled (`make clean` empties it); every
# compilation is kept, as the guide's are small and fast. Absolute, as figures
# run their code from their page's folder. XLA_FLAGS stay JAX's defaults:
# docs/benchmarks.rst measures the flag that was proposed, and why it is not set.
html doctest html-strict device-check: export JAX_COMPILATION_CACHE_DIR := $(abspath $(BUILDDIR))/jax_cache
html doctest html-strict device-check: export JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS := 0
html doctest html-strict device-check: export JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES := 0

html: $(SITE_INPUTS)
	$(SPHINXBUILD) -b html -d $(BUILDDIR)/doctrees . $(BUILDDIR)/html $(SPHINXOPTS)

doctest: $(SITE_INPUTS)
	$(SPHINXBUILD) -b doctest -d $(BUILDDIR)/doctrees . $(BUILDDIR)/doctest $(SPHINXOPTS)

# A fresh environment (-E) so that warnings from unchanged pages are seen again.
# Its log, kept in _build/html-strict.log, is the fresh build tests/site reads.
html-strict: SHELL := /bin/bash
html-strict: .SHELLFLAGS := -o pipefail -c
html-strict: $(SITE_INPUTS)
	$(SPHINXBUILD) -E -W --keep-going -b html -d $(BUILDDIR)/doctrees . $(BUILDDIR)/html $(SPHINXOPTS) 2>&1 \
		| tee $(BUILDDIR)/html-strict.log

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The site tests (copy test, browser tests) read the html that html-strict built;
# among them, tests/site/test_doctest.py runs `make doctest`.
# One worker a core (pytest-xdist): each test file on one worker, the built
# site's tests together on one (tests/conftest.py).
PYTEST_WORKERS ?= auto
pytest: $(TEST_STAMP) $(CHROMIUM) html-strict
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

# Only the browser tests (tests/browser), with full-page screenshots of every
# page in _build/screenshots for people to look at (make test takes none).
# The copy test among them runs `make doctest` first, whose JAX cache its
# scripts load.
browser-test: $(TEST_STAMP) $(CHROMIUM) html-strict
	LR_SCHEDULING_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser

# The copy test's clean virtualenv (tests/reader_env.py: in ~/.cache, reused
# while the pins stay the same). It needs only python3, so make test installs
# it beside .venv, whose pip keeps one core busy.
reader-env:
	$(PYTHON) tests/reader_env.py

# Two at a time, each as soon as what it needs is there (each prints when it
# is done): the copy test's virtualenv beside .venv's site libraries; then the
# strict html build and the fingerprint check beside the test tools' install,
# and lint once they are in; then pytest, which also runs `make doctest` (on
# one worker while the other runs other tests). The strict build reads none of
# the test tools (torch's panes are not run by the build), and installing them
# changes none of the site's libraries (it adds packages, and upgrades only
# setuptools, which the build does not use).
test:
	$(MAKE) --no-print-directory --output-sync=target -j2 \
		reader-env html-strict results-check lint $(CHROMIUM)
	$(MAKE) --no-print-directory pytest

# Performance figures (reports/bench/): writes _build/bench.json and the page
# docs/benchmarks.rst. About 5 minutes on 2 cores; run it on a quiet machine.
bench: $(SITE_INPUTS)
	$(BIN)/python -m reports.bench

# The device checks (tests/device): the guide's code on the default JAX device
# (a GPU or TPU; else the CPU, as the header says) against exact values and
# the CPU: schedules at huge steps, the CNN's training, the how-tos' doctests
# and notebooks. Options (pytest tests/device --help), e.g. a quick run:
# make device-check DEVICE_CHECK_OPTIONS="--epochs 1 --skip-pages"
device-check: $(TEST_STAMP) $(SITE_INPUTS)
	$(BIN)/python -m pytest tests/device -p no:cacheprovider -r fE $(DEVICE_CHECK_OPTIONS)

# The evidence page docs/results.rst, its figures docs/results_*.png and
# docs/results.json, from `python -m reports.results` (reports/results/, not
# part of the wheel): every policy with 5 seeds on digits, MNIST-1D and a
# byte-level language model. Under 10 minutes on 2 quiet cores; the page
# states its own wall and CPU time.
results: $(SITE_STAMP)
	$(BIN)/python -m reports.results

# Fast (no training): fails, naming the page and the files, when a generated
# page under docs/ records a fingerprint that its code no longer matches.
results-check: $(SITE_STAMP)
	$(BIN)/python -m reports.fingerprint

# The measurements of howtos/warmup and howtos/batch_size: JSON, CSV tables and
# figures in reports/guide_experiments/ (19 minutes measured on a 2-core machine
# shared with other jobs). `--replot` redraws the figures and tables from the
# JSON alone.
guide-experiments: $(SITE_STAMP)
	$(BIN)/python -m reports.guide_experiments

# The declared minimum versions: pyproject.toml's floors, pinned in
# requirements-min.txt, installed into their own virtualenv with the package
# (no dependencies of its own; `pip check` then checks the floors). There the
# library's unit tests run, and every how-to script the site offers for
# download must run to its end: they are read from the html that `make html`
# (or make test) built, so build it first.
MIN_VENV := .venv-min
MIN_BIN := $(MIN_VENV)/bin
MIN_STAMP := $(MIN_VENV)/.installed
MIN_TESTS := tests/lr_scheduling src/lr_scheduling
MIN_SCRIPTS ?= $(BUILDDIR)/html/_downloads
MIN_SCRIPTS_RUN := $(BUILDDIR)/min-scripts

$(MIN_STAMP): requirements-min.txt pyproject.toml
	rm -rf $(MIN_VENV)
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_BIN)/python -m pip install --quiet --upgrade pip
	$(MIN_BIN)/python -m pip install --quiet -r requirements-min.txt
	$(MIN_BIN)/python -m pip install --quiet --no-deps -e .
	$(MIN_BIN)/python -m pip check
	touch $@

# The tests on every core; the scripts a core at a time, each in a fresh
# folder (tests/run_scripts.py).
min-versions: $(MIN_STAMP)
	$(MIN_BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(MIN_TESTS)
	$(MIN_BIN)/python tests/run_scripts.py $(MIN_SCRIPTS) $(MIN_SCRIPTS_RUN)

clean:
	rm -rf $(BUILDDIR) build .pytest_cache .ruff_cache .mypy_cache .hypothesis
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +
