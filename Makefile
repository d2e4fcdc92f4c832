# Loket: `make serve` runs it locally, `make test` runs the whole suite.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
SERVE_STAMP := $(VENV)/.installed-site
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
export NO_MKDOCS_2_WARNING := 1

.PHONY: install site serve test test-fast browser clean

# A virtualenv with Loket and the site builder (serve), or also everything the tests
# need (test); each is redone when pyproject.toml changes.
$(SERVE_STAMP): pyproject.toml
	test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[site]'
	touch $@

$(STAMP): $(SERVE_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

# The static site (knowledge base, forms, release notes), built strictly.
site: $(SERVE_STAMP)
	$(BIN)/mkdocs build --strict --quiet --site-dir site

serve: site
	$(BIN)/loket serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium; install it when we may (root), else say how.
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

test: $(STAMP) browser
	$(BIN)/pytest

# Everything but the slow packaging test, for a quick loop while editing.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

clean:
	rm -rf site var build .serverless .pytest_cache

-include deploy.mk

# The Lambda zip ships the site's page shells and the search index: build them first.
lambda-zip: site

.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/api_latency.py
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/sweep_bench.py
	$(BIN)/python bench/search_bench.py
	$(BIN)/python bench/accounts_bench.py
	$(BIN)/python bench/submit_load.py
