# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
DOCS_PORT ?= 8000

.PHONY: run test test-fast screenshots docs bench lint fuzz mutants golden clean

# The pinned lock (requirements.txt), then the project itself, editable, without
# resolving its dependency ranges again (the lock already satisfies them).
$(VENV)/.runtime: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

test: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet --site-dir site

# The docs site (mkdocs.yml, docs/) at http://127.0.0.1:$(DOCS_PORT), rebuilt on every edit.
docs: $(VENV)/.dev
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs serve --dev-addr 127.0.0.1:$(DOCS_PORT)

# Everything but the slow statistics, the browser and the Dask cluster: a quick
# check while working (about two minutes here).
test-fast: $(VENV)/.dev
	$(PY) -m pytest -m "not slow and not browser and not cluster"

# The browser tests with their screenshots written to docs/ (the pictures the docs
# show); `make test` writes them under tests/artifacts/ and leaves docs/ alone.
screenshots: $(VENV)/.dev
	SIM_SCREENSHOTS=docs $(PY) -m pytest -m browser tests/browser tests/report

bench: $(VENV)/.runtime
	$(PY) bench/run_bench.py

# Property tests with fresh random examples, twenty times as many (not in `make test`).
fuzz: $(VENV)/.dev
	HYPOTHESIS_PROFILE=fuzz FUZZ_SCALE=20 $(PY) -m pytest -q tests/engine/test_properties.py \
		tests/engine/test_statistics.py -k "generated or mutated or critical or network"

# Mutation testing of simulation/ with mutmut (slow: hours; not in `make test`).
# `make mutants MUTATE=simulation/value.py` limits it to some files,
# `MUTANTS_TESTS="tests/decide/test_session_bounds.py"` to some test files and
# `MUTANTS_CHILDREN=1` to one mutant at a time (default: one per core).
mutants: $(VENV)/.dev
	$(PY) scripts/mutants.py $(foreach t,$(MUTANTS_TESTS),--tests $(t)) $(MUTATE)

# Rewrite the golden tables and every simulated number in README.md and docs/
# (scripts/regenerate.py).
golden: $(VENV)/.runtime
	$(PY) scripts/regenerate.py

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache mutants site
