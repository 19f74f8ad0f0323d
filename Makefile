# Thin wrappers around uv, npm and manage.py. `make run` to try CPMS, `make test` for the suite.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Never let `uv run` rewrite uv.lock behind our back: the committed lock is what gets installed.
export UV_FROZEN := 1
# Compile once, import fast: the virtualenv is byte-compiled at install (uv sync --compile-bytecode) and
# our own modules and pytest's rewritten tests keep their .pyc. Without this, a machine that sets
# PYTHONDONTWRITEBYTECODE compiles every module again in each process: each manage.py command of
# `make run`, each pytest worker.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help install run test lint bench

help:
	@echo "make run    install, migrate, load the demo data and serve on http://localhost:$${PORT:-8000}/"
	@echo "make test   lint, deploy checks, then the whole suite on SQLite and on a throw-away PostgreSQL"
	@echo "make lint   ruff check, ruff format --check, makemigrations --check"
	@echo "make bench  run every bench/*.py"

install: node_modules/.cpms-installed static/build/cpms.css static/build/viewer/viewer.js static/build/reports/charts.js
	@command -v uv >/dev/null 2>&1 || pip install uv
	uv sync --frozen --compile-bytecode

# npm ci wipes node_modules, so only run it when package.json or the lock changed.
node_modules/.cpms-installed: package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $@

# The design system: our Sass on top of Bootstrap's, compiled into a git-ignored folder served as static.
static/build/cpms.css: node_modules/.cpms-installed $(wildcard static/scss/*.scss)
	npm run --silent build:css

# The image viewer: Cornerstone3D bundled by esbuild with its decoding worker and wasm codecs (git-ignored).
static/build/viewer/viewer.js: node_modules/.cpms-installed $(wildcard static/imaging/viewer/*)
	npm run --silent build:viewer

# The KPI page's charts: Chart.js bundled by esbuild (git-ignored).
static/build/reports/charts.js: node_modules/.cpms-installed $(wildcard static/reports/*.js)
	npm run --silent build:reports

run: install
	uv run python manage.py migrate --noinput
	uv run python manage.py load_reference_data
	uv run python manage.py load_thematic_areas
	uv run python manage.py load_terminologies
	uv run python manage.py load_demo_data
	uv run python manage.py load_demo_patients
	uv run python manage.py load_demo_panels
	uv run python manage.py load_demo_cohort  # 40 more consented patients with coded cases: research figures above the threshold
	uv run python manage.py research_sweep  # the consented demo cases into the anonymised research store
	uv run python manage.py load_demo_images  # a small de-identified study on a demo patient (imaging)
	@port="$${PORT:-8000}"; \
	echo; \
	echo "CPMS is starting: open http://localhost:$$port/ (localhost, not 127.0.0.1: WebAuthn needs a domain name)."; \
	echo; \
	SITE_URL="$${SITE_URL:-http://localhost:$$port}" exec uv run python manage.py runserver "127.0.0.1:$$port"

test: install
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi
	@# e2e/test_meeting_room_firefox.py: Firefox over WebDriver BiDi (e2e/bidi.py), no geckodriver.
	@if ! command -v firefox-esr >/dev/null 2>&1; then \
		echo "Installing Debian's firefox-esr for the cross-browser meeting room test"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y firefox-esr; \
	fi
	@if ! command -v redis-server >/dev/null 2>&1; then \
		echo "Installing Debian's redis-server for the background-task tests"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server; \
	fi
	@# img-stores: Orthanc with its DICOMweb plugin, for the image store tests (cpms/imaging/tests/orthanc.py).
	@if [ ! -x /usr/sbin/Orthanc ] || [ ! -e /usr/share/orthanc/plugins/libOrthancDicomWeb.so ]; then \
		echo "Installing Debian's orthanc and orthanc-dicomweb for the image store tests"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y orthanc orthanc-dicomweb; \
	fi
	@if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then \
		echo "Installing PostgreSQL for the second run of the suite"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; \
	fi
	bash scripts/test.sh

lint: install
	uv run ruff check .
	uv run ruff format --check .
	uv run lint-imports
	CPMS_EMBEDDED=1 uv run python manage.py makemigrations --check --dry-run

bench: install
	@shopt -s nullglob; scripts=(bench/bench_*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks in bench/ yet."; exit 0; fi; \
	for script in "$${scripts[@]}"; do \
		echo "==== $$script ===="; \
		uv run python "$$script"; \
	done
