# Mezasu: the README's two commands are `make run` (the demo on http://127.0.0.1:8000) and `make test`.
# GNU make; needs only Python 3.11 on the machine. System packages (Chromium and Japanese fonts for
# the browser tests, python3-venv) are installed with apt-get when missing and we are root.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Runtime and dev requirements are installed once, and again only when a requirements file changes.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
# Management commands run by hand are development commands (DJANGO_DEBUG=1): load_demo refuses to
# run without it, and the app refuses to serve without DJANGO_SECRET_KEY when it is off.
MANAGE := DJANGO_DEBUG=1 $(PY) manage.py
HOST_PORT ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# pytest-xdist: one test process per core (TEST_WORKERS=0 runs them in this process, e.g. to debug with pdb).
TEST_WORKERS ?= auto
IS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)
APT_ENV := DEBIAN_FRONTEND=noninteractive

.PHONY: help run test bench loadtest lint format messages translations browser-deps report-deps migrate clean distclean

help:
	@echo "make run           set up .venv, migrate, load the demo plan, serve http://$(HOST_PORT)"
	@echo "make test          set up .venv with dev requirements, compile translations, run pytest"
	@echo "                   (browser tests included; PYTEST_ARGS='-k grading' to narrow)"
	@echo "make bench         measure every page and command on plans of 250 and 2,500 indicators"
	@echo "                   (PostgreSQL: DATABASE_URL, else a private server); writes BENCHMARKS.md"
	@echo "                   (BENCH_ARGS='--sizes 250 --only entry_big,save_1' to iterate; not in make test)"
	@echo "make loadtest      the deadline rush: 100 department staff and 3 planning staff on two gunicorn"
	@echo "                   instances, 2 minutes on loopback; prints the figures and checks the database"
	@echo "                   (PostgreSQL: DATABASE_URL, else a private server; not in make test)"
	@echo "make lint          ruff check and ruff format --check"
	@echo "make format        ruff format and ruff check --fix"
	@echo "make messages      update locale/ja/LC_MESSAGES/django.po (needs GNU gettext)"
	@echo "make translations  compile .po to .mo (pure Python, no gettext needed)"
	@echo "make clean         remove caches, compiled translations, test artifacts"
	@echo "make distclean     clean, and remove .venv and the SQLite database"

# --- the virtualenv -------------------------------------------------------------------------------

$(PY):
	@[ -n "$(PYTHON)" ] || { echo "Python 3.11 not found (python3.11 or python3)." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' || \
		{ echo "$(PYTHON) is older than Python 3.11." >&2; exit 1; }
	@if ! $(PYTHON) -m venv $(VENV) 2>/dev/null; then \
		rm -rf $(VENV); \
		if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
			echo "== venv module missing: installing python3-venv with apt-get"; \
			apt-get update -qq && $(APT_ENV) apt-get install -y -qq --no-install-recommends python3-venv \
				"python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv" || true; \
		fi; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(RUNTIME_STAMP) $@

# --- translations ---------------------------------------------------------------------------------

# polib compiles every project .po (none yet is fine); GNU gettext is needed only to extract strings.
translations: $(RUNTIME_STAMP)
	$(MANAGE) compile_translations

messages: $(RUNTIME_STAMP)
	@command -v xgettext >/dev/null || { \
		if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && $(APT_ENV) apt-get install -y -qq --no-install-recommends gettext; \
		else echo "makemessages needs GNU gettext: apt-get install gettext" >&2; exit 1; fi; }
	mkdir -p locale
	$(MANAGE) makemessages -l ja --no-obsolete --ignore=node_modules --ignore=staticfiles \
		--ignore=test-artifacts --ignore=tests

# --- the demo -------------------------------------------------------------------------------------

migrate: $(RUNTIME_STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

# load_demo imports the demo plan and creates its accounts only when the database has no plan;
# it prints the accounts every time.
run: migrate translations report-deps
	$(MANAGE) load_demo
	@echo "== Serving http://$(HOST_PORT)/ (Ctrl-C to stop)"
	$(MANAGE) runserver $(HOST_PORT)

# --- tests ----------------------------------------------------------------------------------------

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here) and
# need Japanese fonts. In CI they must run: install what is missing, or fail. Elsewhere, install
# when root; otherwise the tests skip with the reason (see tests/conftest.py).
browser-deps:
	@fonts_ok() { dpkg-query -W -f='$${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed" \
		|| ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1; }; \
	if [ -x /usr/bin/chromium ] && fonts_ok; then exit 0; fi; \
	if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
		echo "== Installing chromium and fonts-noto-cjk with apt-get (browser tests)"; \
		apt-get update -qq; \
		$(APT_ENV) apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk; \
	elif [ "$${CI:-}" = true ]; then \
		echo "CI: /usr/bin/chromium or fonts-noto-cjk is missing and cannot be installed (not root)." >&2; exit 1; \
	else \
		echo "== Chromium or fonts-noto-cjk missing and not root: browser tests will be skipped."; \
		echo "   Install them with: sudo apt-get install chromium fonts-noto-cjk"; \
	fi

# The report's PDF is made by WeasyPrint, which needs Debian's pango; the tests read the PDFs back with
# poppler-utils (pdftotext, pdffonts). Installed when missing and we are root; in CI, or else, a failure.
# (grep without -q: under pipefail, grep -q closing the pipe early can kill ldconfig with SIGPIPE, and the
# check then fails on a machine that has everything.)
report-deps:
	@have() { ldconfig -p | grep libpangoft2-1.0.so.0 >/dev/null && command -v pdftotext >/dev/null && command -v pdffonts >/dev/null; }; \
	if have; then exit 0; fi; \
	if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
		echo "== Installing pango (the report's PDF) and poppler-utils with apt-get"; \
		apt-get update -qq; \
		$(APT_ENV) apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 poppler-utils; \
	else \
		echo "The report's PDF needs pango and its tests poppler-utils:" >&2; \
		echo "   sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 poppler-utils" >&2; exit 1; \
	fi

# pytest exits 5 when it ran no test: said out loud, and a failure (an empty suite is a broken one).
test: $(DEV_STAMP) translations browser-deps report-deps
	@rc=0; $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no test (exit 5)." >&2; fi; \
	exit $$rc

# --- the benchmark (issue 11) ---------------------------------------------------------------------

# Not part of make test: it takes minutes. bench/run.sh gives the runner a PostgreSQL (DATABASE_URL, or a
# private cluster started and stopped around the run); the runner makes and drops its own databases.
BENCH_ARGS ?=
bench: $(RUNTIME_STAMP) translations report-deps
	PY=$(PY) bash bench/run.sh $(BENCH_ARGS)

# --- the load test (issue 11) ---------------------------------------------------------------------

# Not part of make test. locust and lxml live in their own venv (loadtest/requirements.txt, every package
# pinned); the servers and the checks use the project's. loadtest/run.sh says what it starts and stops.
LOAD_VENV := .venv-load
LOAD_STAMP := $(LOAD_VENV)/.installed
$(LOAD_STAMP): loadtest/requirements.txt
	@[ -x $(LOAD_VENV)/bin/python ] || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet -r loadtest/requirements.txt
	@touch $@

loadtest: $(RUNTIME_STAMP) $(LOAD_STAMP)
	PY=$(PY) LOAD_VENV=$(LOAD_VENV) bash loadtest/run.sh

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# --- cleaning -------------------------------------------------------------------------------------

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
	find . -path ./$(VENV) -prune -o -name '*.mo' -type f -print0 | xargs -0 rm -f
	rm -rf .pytest_cache .ruff_cache test-artifacts staticfiles

distclean: clean
	rm -rf $(VENV) $(LOAD_VENV) db.sqlite3
