# Loket: `make serve` runs it locally, `make test` runs the whole suite.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
SERVE_STAMP := $(VENV)/.installed-site
UV_STAMP := $(VENV)/.installed-uv
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
export NO_MKDOCS_2_WARNING := 1

.PHONY: install site serve test test-fast browser clean lock lock-upgrade audit translations

# A virtualenv with Loket and the site builder (serve), or also everything the tests
# need (test), installed from the lock files (requirements/*.txt: exact versions, with
# hashes); redone when a lock changes. A pyproject.toml whose dependencies changed
# without `make lock` stops here instead of installing something else than it says.
$(SERVE_STAMP): requirements/site.txt pyproject.toml
	$(PYTHON) tools/lock_dependencies.py --check
	test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements/site.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(STAMP): requirements/dev.txt $(SERVE_STAMP)
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

# Lock the dependencies again after changing them in pyproject.toml (commit
# requirements/ with it); lock-upgrade also moves every locked version to the newest
# that pyproject.toml allows.
lock: $(UV_STAMP)
	$(BIN)/python tools/lock_dependencies.py

lock-upgrade: $(UV_STAMP)
	$(BIN)/python tools/lock_dependencies.py --upgrade

# uv is in the dev lock, but a changed pyproject.toml must be lockable before any
# lock matches it: bootstrap it on its own.
$(UV_STAMP):
	test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/pip install --quiet 'uv>=0.5'
	touch $@

# Known vulnerabilities in the locked versions (PyPI's advisory data, by version).
# --strict: a dependency the service cannot answer for fails the audit, so an audit
# that checked nothing never passes.
AUDIT_SERVICE ?= pypi
AUDIT_STRICT ?= --strict
audit: $(STAMP)
	$(BIN)/pip-audit $(AUDIT_STRICT) --disable-pip --require-hashes --progress-spinner off \
	  --vulnerability-service $(AUDIT_SERVICE) -r requirements/dev.txt

install: $(STAMP)

# The interface's message catalogs (functions/loket/locale/): extract the messages from
# the code and templates into messages.pot (babel.cfg), bring every language's
# messages.po up to date with it, and compile each to messages.mo (committed: the
# server reads them with the standard library's gettext). Translate the new or changed
# messages in the .po files and run it again; tests/unit/test_catalogs.py fails on a
# message without a translation, a placeholder that differs, or a stale .mo.
# A new language: pybabel init -i $(LOCALE)/messages.pot -d $(LOCALE) -l <lang>.
LOCALE := functions/loket/locale
BABEL_KEYWORDS := -k N_ -k NP_:1c,2 -k gettext_in:2 -k pgettext_in:2c,3 -k ngettext_in:2,3
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --add-location=file \
	  --sort-output --add-comments=Translators: --project=Loket --omit-header \
	  -o $(LOCALE)/messages.pot functions
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-fuzzy-matching \
	  --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE) --statistics

# The static site (knowledge base, forms, release notes), built strictly.
site: $(SERVE_STAMP)
	LOKET_SITE_URL=http://$(HOST):$(PORT)/ $(BIN)/mkdocs build --strict --quiet --site-dir site

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

# The Lambda zip ships the site's page shells and the search index: deploy.mk builds
# the site first when its sources changed (not every time).

.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/api_latency.py
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/cold_requests.py
	$(BIN)/python bench/thumbnail_memory.py
	$(BIN)/python bench/dynamodb_units.py
	$(BIN)/python bench/sweep_bench.py --stores sqlite
	$(BIN)/python bench/search_bench.py
	$(BIN)/python bench/accounts_bench.py
	$(BIN)/python bench/reset_timing.py
	$(BIN)/python bench/export_bench.py
	$(BIN)/python bench/submit_load.py
	$(BIN)/python bench/submit_cpu.py
	$(BIN)/python bench/mail_in_bench.py
	$(BIN)/python bench/closed_send_to_queue.py

# The browser tests' accessibility check injects node_modules/axe-core (package.json),
# so a fresh clone's `make test` installs node_modules first (deploy.mk's npm ci stamp).
test: $(DEPLOY_NODE_STAMP)
