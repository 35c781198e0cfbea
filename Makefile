# Every target sets itself up: the virtualenv is created and the project installed
# (editable, with the dev extras) when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup generate check-generated serve test typecheck bench clean \
	upgrade-botocore check-handlers test-all-services bench-all

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

## Regenerate what the project ships (generated/organizations) from the pinned botocore
## (a model change prints its report, written to CHANGES.md); then `botogen check` lists,
## one line each with the handler lines it touches, every breaking or review change the
## handlers are not accepted against. Its status 1 does not stop this target; `make test`
## fails on those lines until `botogen check --accept` (README: Upgrading botocore).
generate: $(STAMP)
	$(BIN)/botogen generate
	@$(BIN)/botogen check || test $$? -eq 1

## The main job: serve Organizations on http://127.0.0.1:4566 (development accounts).
serve: $(STAMP)
	$(BIN)/botogen serve

## Fail, naming the files, when generated/ differs from a fresh run.
check-generated: $(STAMP)
	$(BIN)/botogen generate --check

typecheck: $(STAMP)
	$(BIN)/mypy

## The test command: freshness check; the handlers against the model (`botogen check`:
## fails, one line per change, while a breaking or review change is not accepted); then
## the whole pytest suite (mypy included), in TEST_WORKERS processes (pytest-xdist; a
## module's tests stay in one process, so its servers start once). TEST_WORKERS=0 runs
## it in this process. Three on two cores, since many tests wait (locks, deadlines,
## kills) more than they compute; the test servers run 4 threads each, so that the peak
## of PostgreSQL connections stays near 60 of its 100 (more workers could exhaust them).
TEST_WORKERS ?= 3
test: check-generated
	$(BIN)/botogen check
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

## Benchmarks print figures (README: Performance); wrk comes from the distribution.
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/bench_codegen.py
	$(BIN)/python benchmarks/bench_server.py
	$(BIN)/python benchmarks/bench_handshakes.py
	$(BIN)/python benchmarks/bench_structure.py
	$(BIN)/python benchmarks/bench_policies.py
	$(BIN)/python benchmarks/bench_effective.py

## Upgrade botocore and boto3 to VERSION in one step: check the registry has both, bump
## the pins, reinstall, regenerate (printing the change report), check the handlers.
## A version the registry lacks stops it with one line (make's `$(error)`, status 2)
## before anything changed; pip's output goes to a temporary log, whose last lines
## VERBOSE=1 shows.
upgrade-botocore: $(STAMP)
	$(if $(VERSION),,$(error usage: make upgrade-botocore VERSION=x.y.z))
	$(if $(call on_registry,$(VERSION)),,$(error botocore/boto3 $(VERSION) not both on the package registry))
	sed -i -E 's/"(botocore|boto3)==[^"]*"/"\1==$(VERSION)"/' pyproject.toml
	$(MAKE) setup
	$(BIN)/botogen generate
	$(BIN)/botogen check

# `yes` when the package registry has both botocore==$(1) and boto3==$(1) (expanded with
# the recipe, so make can stop with one line); pip stays quiet, its output in a log.
on_registry = $(shell tmp=$$(mktemp -d) && \
	if $(BIN)/python -m pip download -q --no-deps --dest "$$tmp/files" \
	  "botocore==$(1)" "boto3==$(1)" >"$$tmp/log" 2>&1; then echo yes; \
	elif [ -n "$(VERBOSE)" ]; then tail -n 20 "$$tmp/log" | cut -c 1-300 >&2; fi; rm -rf "$$tmp")

## Hand-written handlers against the model: drift (exit 1) and the coverage table.
check-handlers: $(STAMP)
	$(BIN)/botogen check --coverage

## Every botocore service: generate --all, import each package, validate every example
## (a few minutes; separate from `make test`).
test-all-services: $(STAMP)
	BOTOGEN_ALL_SERVICES=1 $(BIN)/python -m pytest -q tests/test_all_services.py

## generate --all: wall time and peak memory (README: Every botocore service).
bench-all: $(STAMP)
	$(BIN)/python benchmarks/bench_generate_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
