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

.PHONY: demo test bench lint docs docs-check install clean

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

# Two pytest workers (one per core of the CI machine), one torch thread each
# (tests/conftest.py); an idle worker takes tests queued for the other
# (worksteal), so that a few long tests at the end do not leave a core idle.
test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist worksteal

bench: $(STAMP)
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) benchmarks/run.py

lint: $(STAMP)
	$(PY) -m pip install -q ruff
	$(PY) -m ruff check sknets tests examples benchmarks docs/conf.py docs/check_site.py
	$(PY) -m ruff format --check sknets tests examples benchmarks docs/conf.py docs/check_site.py

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
	rm -rf $(VENV) build *.egg-info .pytest_cache docs/_build docs/generated docs/auto_examples
