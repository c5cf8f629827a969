# The two commands a newcomer runs (see README):
#   make run   — set everything up, then run the main job on corpus/ into outputs/
#   make test  — set everything up, then run the tests
# Both install the system packages they need (LibreOffice, Tesseract + Vietnamese,
# poppler) with apt-get when missing, and the Python packages into .venv/.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
APT_PKGS := libreoffice-writer-nogui tesseract-ocr tesseract-ocr-vie poppler-utils

.PHONY: run test setup system browser postgres python bench clean

run: setup
	$(BIN)/vanban run corpus --out outputs

test: setup browser postgres
	VANBAN_REQUIRE_BROWSER=1 VANBAN_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest

setup: system python

system:
	@missing=""; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr"; \
	tesseract --list-langs 2>/dev/null | grep -qx vie || missing="$$missing tesseract-ocr-vie"; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# Headless Chromium and its driver, for the web app's browser test (make test only).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  echo "installing system packages: chromium chromium-driver"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; \
	fi

# PostgreSQL's server binaries, for the tests of the PostgreSQL archive index and of the
# Prefect server on PostgreSQL (make test only): tests/pgcluster.py starts a throwaway
# cluster with Debian's initdb/pg_ctl, found on PATH or in /usr/lib/postgresql/*/bin.
postgres:
	@if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "installing system packages: postgresql"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null; \
	fi

python: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

# The benchmarks at sizes that take minutes, not hours; the issues' sizes (bench_flow.py
# --copies 100, bench_index.py's default 100,000 documents) are in the README.
bench: setup
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_extract.py
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_flow.py --copies 10
	$(BIN)/python benchmarks/bench_index.py --n 10000 --db /tmp/vanban-bench/index-10k.db

clean:
	rm -rf $(VENV) .state outputs/*.json outputs/quarantine
