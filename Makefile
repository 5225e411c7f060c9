# sknets: the few commands a newcomer needs. Everything runs in .venv.
#
# TORCH pins the torch that is installed first, so that a CPU-only machine never
# pulls the multi-GB CUDA build through the package's torch range. Override it,
# for example `make test TORCH=torch==2.13.0` or `make test TORCH=torch` on a GPU box.
PYTHON ?= python3
TORCH ?= torch==2.13.0
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint install clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) examples/quickstart.py

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) benchmarks/run.py

lint: $(STAMP)
	$(PY) -m pip install -q ruff
	$(PY) -m ruff check sknets tests examples benchmarks
	$(PY) -m ruff format --check sknets tests examples benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
