# jiesu workspace. The two commands a newcomer needs:
#   make report   set-up, data, render the monthly report on the embedded synthetic data
#   make test     set-up, then the whole test suite
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
SYSDEPS_STAMP := $(VENV)/.sysdeps
SEED ?= 0
PRESET ?= full
# The simulated area for `make schedule`: where it lives, its preset, and the first month to render
# (`latest`: each community's latest month; e.g. SINCE=2020-01 renders every month since then).
AREA_DIR ?= data/area
AREA_PRESET ?= $(PRESET)
SINCE ?= latest
# Papermill, nbval and jupyter must run the venv's interpreter: put it first on PATH for every recipe.
export PATH := $(BIN):$(PATH)
export PYTHONHASHSEED := 0

.PHONY: help setup sysdeps data data-small area report schedule test notebooks lint lab bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

setup: $(STAMP) sysdeps ## create .venv with pinned packages and the jiesu package (idempotent)

$(STAMP): requirements.in requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.in -c requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# a kernelspec inside the venv, so "python3" in papermill/nbval resolves to this interpreter
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (jiesu)" >/dev/null
	@touch $(STAMP)
	@echo "setup: .venv ready ($$($(BIN)/jiesu --version))"

sysdeps: $(SYSDEPS_STAMP) ## Chromium + CJK font for static figure export (root only; skipped otherwise)

$(SYSDEPS_STAMP):
	@mkdir -p $(VENV)
	@if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi -e 'wenquanyi' -e 'noto sans cjk'; then \
	  echo "sysdeps: chromium and a CJK font are present"; touch $(SYSDEPS_STAMP); \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "sysdeps: installing chromium and fonts-wqy-microhei (static PNG/SVG export)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-wqy-microhei fontconfig >/dev/null) && touch $(SYSDEPS_STAMP) \
	  || echo "sysdeps: apt-get failed; static PNG/SVG export will be skipped, HTML reports still work"; \
	else \
	  echo "sysdeps: not root (or no apt-get): static PNG/SVG export will be skipped, HTML reports still work."; \
	  echo "         install chromium and a CJK font (e.g. fonts-wqy-microhei) to enable it."; \
	fi

data: $(STAMP) ## simulate the synthetic world (if data/raw is empty) and ingest it
	@if [ ! -e data/raw/planted_truth.json ] && [ -z "$$(ls -A data/raw | grep -v README.md)" ]; then \
	  $(BIN)/jiesu simulate --seed $(SEED) --preset $(PRESET) --out data; fi
	$(BIN)/jiesu ingest --data-dir data

report: setup data ## render the latest monthly report for the focus community; prints its path
	$(BIN)/jiesu report

area: setup ## simulate the whole area (every community a full world) into data/area, then ingest it
	@if [ ! -e $(AREA_DIR)/raw/planted_truth.json ]; then \
	  $(BIN)/jiesu simulate --area --seed $(SEED) --preset $(AREA_PRESET) --out $(AREA_DIR); fi
	$(BIN)/jiesu ingest --data-dir $(AREA_DIR)

schedule: area ## every community's report for the area's latest month, and the area overview (Dask)
	$(BIN)/jiesu schedule --data-dir $(AREA_DIR) --since $(SINCE)

test: setup lint ## lint, then the whole suite (unit, planted-truth, bad-input, notebooks under nbval)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider $(PYTEST_ARGS)

notebooks: setup ## re-execute the notebooks on the small world and rewrite the outputs nbval checks
	$(BIN)/python scripts/refresh_notebook_checks.py

lint: $(STAMP) ## ruff check + ruff format --check, and the import-linter contracts between folders
	$(BIN)/ruff check lib tests notebooks bench scripts
	$(BIN)/ruff format --check lib tests bench scripts
	$(BIN)/lint-imports

lab: setup data ## open JupyterLab on notebooks/ (works as root)
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root) --no-browser

bench: setup ## run the benchmarks and rewrite the table in bench/README.md
	$(BIN)/python bench/run.py

clean: ## remove generated data, reports, figures and caches (keeps .venv)
	rm -rf data/processed/*.parquet data/processed/*.json data/interim data/worlds reports/* figures/*
	git checkout -- data/processed/README.md reports/README.md figures/README.md 2>/dev/null || true
