# Two commands do all the set-up: `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench bench-pytm clean schema

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# one line per bundled model (some carry flaws on purpose), then the app
run: $(STAMP)
	@echo "The bundled models (some carry flaws on purpose; details: tmodel check models):"
	@$(BIN)/tmodel check models --summary || true
	$(BIN)/tmodel

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/app.py
	$(BIN)/python benchmarks/importers.py
	$(BIN)/python benchmarks/signal.py

# tmodel against OWASP pytm 1.4.0 (installed in benchmarks/.venv-pytm on first use); QUICK=1 for N = 100, 1000
bench-pytm: $(STAMP)
	$(BIN)/python benchmarks/pytm_compare.py $(if $(QUICK),--quick,)

schema: $(STAMP)
	$(BIN)/tmodel schema --write

clean:
	rm -rf $(VENV) exports/*/
