# sknets: the few commands a newcomer needs. Everything runs in .venv.
#
# TORCH pins the torch that is installed first, so that a CPU-only machine never
# pulls the multi-GB CUDA build through the package's torch range. Override it,
# for example `make test TORCH=torch==2.13.0` or `make test TORCH=torch` on a GPU box.
PYTHON ?= python3
TORCH ?= torch==2.13.0
VENV := .venv
PY := $(VENV)/bin/python
BASE_STAMP := $(VENV)/.installed-base
STAMP := $(VENV)/.installed

FLOORS_PYTHON ?= python3.11
FLOORS := .venv-floors

DIST_VENV := .venv-dist

.PHONY: demo test floors dist bench lint docs docs-check install clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(BASE_STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e .
	touch $(BASE_STAMP)

$(STAMP): $(BASE_STAMP)
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# the quickstart needs sknets and its runtime dependencies only
demo: $(BASE_STAMP)
	$(PY) examples/quickstart.py

# Two pytest workers (one per core of the CI machine), one torch thread each
# (tests/conftest.py); an idle worker takes tests queued for the other
# (worksteal), so that a few long tests at the end do not leave a core idle.
test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist worksteal

# The test suite on the lowest versions pyproject.toml declares (torch,
# scikit-learn, skorch, numpy, pandas; .ci/floors.py reads them) and its oldest
# Python, in a venv of its own. The only torch 2.3 on PyPI for Linux is a CUDA
# build: about 3 GB to download, 5 GB installed, 1-2 minutes. The tests that
# need an optional package (sktime, onnx, dask, ...) skip without it.
floors:
	rm -rf $(FLOORS)
	$(FLOORS_PYTHON) -m venv $(FLOORS)
	$(FLOORS)/bin/python -m pip install -q --upgrade pip
	$(FLOORS)/bin/python -m pip install -q --no-cache-dir -e . $$($(FLOORS_PYTHON) .ci/floors.py)
	$(FLOORS)/bin/python -m pip list --format=freeze | grep -iE '^(torch|scikit-learn|skorch|numpy|pandas)=='
	$(FLOORS)/bin/python -m pytest -q -n 2 --dist worksteal -p no:cacheprovider

# The sdist and wheel (python -m build), checked by twine; the wheel installed
# in a fresh venv with the runtime dependencies only, where `import sknets`
# must work (the CPU torch first, as above).
dist: $(STAMP)
	$(PY) -m pip install -q build twine
	rm -rf dist $(DIST_VENV)
	$(PY) -m build -q
	$(PY) -m twine check --strict dist/*
	$(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install -q "$(TORCH)"
	$(DIST_VENV)/bin/python -m pip install -q dist/*.whl
	cd /tmp && $(CURDIR)/$(DIST_VENV)/bin/python -c "import sknets, sys; \
	print('sknets', sknets.__version__, 'from', sknets.__file__); \
	sys.exit(not sknets.__file__.startswith('$(CURDIR)/$(DIST_VENV)/'))"

bench: $(STAMP)
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) benchmarks/run.py

lint: $(STAMP)
	$(PY) -m pip install -q ruff
	$(PY) -m ruff check sknets tests examples benchmarks docs/conf.py docs/check_site.py docs/_inventories.py .ci/floors.py
	$(PY) -m ruff format --check sknets tests examples benchmarks docs/conf.py docs/check_site.py docs/_inventories.py .ci/floors.py

# The documentation site (Sphinx, numpydoc, sphinx-gallery running every example),
# warnings are errors. Output: docs/_build/html/index.html
docs: $(STAMP)
	$(PY) -m pip install -q -e ".[docs]"
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

# A browser test of the built site: headless Chromium (Debian's package) driven
# by Playwright opens the index, the API reference and a gallery page.
docs-check: docs
	$(PY) -m pip install -q -e ".[docs-check]"
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	$(PY) docs/check_site.py docs/_build/html

clean:
	rm -rf $(VENV) $(FLOORS) $(DIST_VENV) build dist *.egg-info .pytest_cache docs/_build docs/generated docs/auto_examples
