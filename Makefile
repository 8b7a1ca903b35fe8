# Two entry points for a fresh machine with Python 3.11+ and make:
#   make run    serve the bundled demo news site, run examples/demo.toml on it twice
#               (the second run finds nothing new), stop
#   make test   lint, type-check and run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two installs: the package alone (what `run` and `extract` need, about 217 MB),
# then the test extra on top (linters, type checker, Ray, trafilatura: about 1.2 GB).
BASE := $(VENV)/.base-installed
STAMP := $(VENV)/.installed

.PHONY: run extract test lint bench clean

# setup.py builds the optional C module: a change to it or its source reinstalls.
$(BASE): pyproject.toml setup.py pipeline/extraction/_native.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(BASE)

$(STAMP): $(BASE)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(BASE)
	$(BIN)/python -m demo

# The offline job: extract every saved page under fixtures/ into output/.
extract: $(BASE)
	$(BIN)/pipeline extract fixtures/

lint: $(STAMP)
	$(BIN)/ruff check pipeline demo tests scripts bench
	$(BIN)/ruff format --check pipeline demo tests scripts bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) output/2* build pipeline/extraction/_native*.so

# The full benchmark run (about 45 minutes, 35 of them the robustness suite): ours beside
# trafilatura, results in bench/.
bench: $(STAMP)
	$(BIN)/pipeline eval all --write
