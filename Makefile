# hashwarden: `make run` (demo on embedded SQLite) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/hashwarden demo
	$(BIN)/hashwarden serve --admin-token

test: $(STAMP_TEST) tests/a11y/node_modules/.package-lock.json
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

# axe-core for the accessibility checks of the page tests (they skip, saying so, without npm).
tests/a11y/node_modules/.package-lock.json: tests/a11y/package.json tests/a11y/package-lock.json
	-command -v npm >/dev/null && npm ci --prefix tests/a11y --no-audit --no-fund --silent

lint: $(STAMP_TEST)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP_TEST)
	$(BIN)/mypy

bench: $(STAMP_TEST)
	$(BIN)/python bench/bench_pdq.py
	$(BIN)/python bench/bench_index.py
	$(BIN)/python bench/bench_scan.py
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_media_api.py
	$(BIN)/python bench/bench_exchange.py --entries 100000
	$(BIN)/python bench/bench_video.py
	$(BIN)/python bench/bench_video_index.py
	$(BIN)/python bench/bench_robust_cost.py
	$(BIN)/python bench/robustness/run.py
	$(BIN)/python bench/same_place/run.py --seed 1
	$(BIN)/python bench/bench_same_place_cost.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
