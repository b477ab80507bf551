# Frontdesk: `make demo` runs a simulated phone call against the demo clinic;
# `make test` runs the linters, the type checker, the tests and the text eval suite.
# Both create the virtual environment in .venv on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint typecheck unit evals serve chat clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/frontdesk demo

test: lint typecheck unit evals

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

unit: $(INSTALLED)
	$(BIN)/pytest -q

evals: $(INSTALLED)
	$(BIN)/frontdesk eval --mode text --report-dir test-output/evals

serve: $(INSTALLED)
	$(BIN)/frontdesk serve

chat: $(INSTALLED)
	$(BIN)/frontdesk chat --demo

clean:
	rm -rf $(VENV) test-output var
