# The two commands of the README: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
FLASK  := $(VENV)/bin/flask --app wsgi
PORT   ?= 5000
STAMP  := $(VENV)/.installed

.PHONY: run test test-pg bench bench-growth bench-pg install assets migrate clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP) assets

# htmx and axe-core come from npm, pinned in package-lock.json; nothing is loaded from a CDN.
static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/axe-core/axe.min.js static/vendor/axe.min.js

assets: static/vendor/htmx.min.js

migrate: install
	$(FLASK) db-upgrade

run: install
	$(FLASK) db-upgrade
	$(FLASK) seed-demo --if-empty
	PORT=$(PORT) $(PY) wsgi.py

# The browser tests need Debian's chromium and a CJK font: installed first when missing (as root), or
# the script says what to install.
test: install
	bash scripts/install-browser
	$(PY) -m pytest

# The suite (without the browser tests) on a local PostgreSQL that .ci/pg installs and starts (as root).
test-pg: install
	url="$$(bash .ci/pg)" && test -n "$$url" && \
	  TEST_DATABASE_URL="$$url" $(PY) -m pytest -m "not browser" --ignore=tests/browser

# The province-sized benchmark (not a test): prints one table, exits non-zero when a target is missed.
bench: install
	$(PY) -m bench

# The same benchmark with the portal on PostgreSQL (a loopback server that .ci/pg installs and starts, as
# root; its own database portal_bench) and the baselines on that server through psycopg (issue 19 §5).
bench-pg: install
	url="$$(PG_TEST_DB=portal_bench bash .ci/pg)" && test -n "$$url" && \
	  $(PY) -m bench --pg "$$url" --only pages,recompute,writes

# The benchmark at 1× and at a province five times larger, and how much each figure grew (issue 19 §4).
bench-growth: install
	$(PY) -m bench.growth

clean:
	rm -rf $(VENV) node_modules static/vendor
