# Quick start: `make app` (install + open the dashboard), `make test` (install + run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: app test lint bench build chromium poppler

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

app: $(VENV)/.installed
	$(BIN)/streamlit run app.py

build: $(VENV)/.installed
	$(BIN)/python -m butdata build

# Browser tests use Debian's chromium (apt), never a downloaded browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installation de chromium (apt)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium absent et non installable ici : les tests navigateur seront ignorés"; fi; }

# The PDF tests (tests/test_report.py) read the PDFs back with poppler-utils (apt): pdfinfo,
# pdftotext, pdfimages, pdffonts. Without them those tests fail and say so.
poppler:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installation de poppler-utils (apt)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else echo "poppler-utils absent et non installable ici : les tests PDF échoueront"; fi; }

# Static checks: lint, format, types, and the import contracts that keep the layers apart.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(VENV)/.installed-test chromium poppler
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test chromium
	$(BIN)/python benchmarks/run.py --quick --json bench.json
