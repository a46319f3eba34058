# Quick start: `make app` (install + open the dashboard on this machine only, http://localhost:8501),
# `make serve` (shared on the network: visitors read, editors sign in), `make test` (every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: app serve editor test lint bench build chromium poppler
PORT ?= 8501
HOST ?= 0.0.0.0

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

# Local mode: bound to the loopback interface only; the single user is an editor. Stop: Ctrl+C.
# A browser opens on the address when the machine has a screen (DISPLAY / WAYLAND_DISPLAY).
app: $(VENV)/.installed
	@echo "Tableau de bord : http://localhost:$(PORT)  (Ctrl+C arrête le serveur)"
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  ( sleep 5; $(BIN)/python -m webbrowser -t "http://localhost:$(PORT)" >/dev/null 2>&1 ) & fi
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

# Shared mode: on the network (HOST, PORT); anonymous visitors read only, editors sign in.
# CERT=… KEY=… serve over HTTPS (passwords then never cross the room's network in clear).
serve: $(VENV)/.installed
	BUTDATA_SHARED=1 $(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT) \
	  $(if $(CERT),--server.sslCertFile "$(CERT)" --server.sslKeyFile "$(KEY)")

# Add (or change the password of) an editor account: make editor NAME=marie.dupont
editor: $(VENV)/.installed
	$(BIN)/python -m butdata editor add "$(NAME)"

build: $(VENV)/.installed
	$(BIN)/python -m butdata build

# Browser tests use Debian's chromium (apt), never a downloaded browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installation de chromium (apt)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium absent et non installable ici : les tests navigateur échoueront"; fi; }

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

test: lint chromium poppler
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test chromium
	$(BIN)/python benchmarks/run.py --quick --json bench.json
