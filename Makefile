PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test deps venv lint clean bench

run: $(STAMP)
	$(BIN)/wintertrack serve --demo

test: $(STAMP) deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

deps:
	bash scripts/install-test-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache test-output

.PHONY: bench bench-ingest smoke
smoke: $(STAMP)
	bash scripts/smoke-xlsx.sh

bench: $(STAMP)
	PYTHONPATH=. $(BIN)/python -m bench.run $(if $(QUICK),--quick,)

# only the Kafka ingest rows, e.g. `make bench-ingest ARGS="--schemes 10 --days 30 --at-once 200"`
bench-ingest: $(STAMP)
	PYTHONPATH=. $(BIN)/python -m bench.streams $(ARGS)
