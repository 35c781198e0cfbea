# Every target sets itself up: the virtualenv is created and the project installed
# (editable, with the dev extras) when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup generate check-generated serve test typecheck bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

## Regenerate what the project ships (generated/organizations) from the pinned botocore.
generate: $(STAMP)
	$(BIN)/botogen generate

## The main job: serve Organizations on http://127.0.0.1:4566 (development accounts).
serve: $(STAMP)
	$(BIN)/botogen serve

## Fail, naming the files, when generated/ differs from a fresh run.
check-generated: $(STAMP)
	$(BIN)/botogen generate --check

typecheck: $(STAMP)
	$(BIN)/mypy

## The test command: freshness check, then the whole pytest suite (mypy included).
test: check-generated
	$(BIN)/python -m pytest -q

## Benchmarks print figures (README: Performance); wrk comes from the distribution.
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/bench_codegen.py
	$(BIN)/python benchmarks/bench_server.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
