# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: install run test bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --editable '.[test]' --constraint constraints.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## build today's campaign against the simulator; prints where the CSV is
	$(PY) scripts/demo_run.py

test: $(STAMP)  ## the whole suite (starts its own Prefect server and simulator on 127.0.0.1)
	$(PY) -m pytest

bench: $(STAMP)  ## S1-S5 against their bounds (run by hand; prints a table, asserts nothing). BENCH_ARGS="--repeat 3"
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache
