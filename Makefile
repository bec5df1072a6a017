# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
# Another interpreter in its own venv: `make test PYTHON=python3.13 VENV=.venv-3.13`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: run test lint bench dist docs screenshot clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "stackatlas needs Python 3.11+"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

# With no SEC source configured, `make run` reads the recorded SEC files in ../shared/data/sec
# when that folder exists (offline); set STACKATLAS_SEC_USER_AGENT to fetch live from EDGAR.
run: $(STAMP)
	@if [ -z "$$STACKATLAS_SEC_DIR" ] && [ -z "$$STACKATLAS_SEC_USER_AGENT" ] \
	    && [ -d ../shared/data/sec ]; then \
	  export STACKATLAS_SEC_DIR="$$(cd ../shared/data/sec && pwd)"; \
	  echo "SEC facts: recorded files in $$STACKATLAS_SEC_DIR (offline)"; \
	fi; \
	if [ -z "$$STACKATLAS_EPOCH_DIR" ] && [ -f ../shared/data/epoch/epoch_gpu_clusters.csv ]; then \
	  export STACKATLAS_EPOCH_DIR="$$(cd ../shared/data/epoch && pwd)"; \
	fi; \
	$(BIN)/stackatlas run

test: $(STAMP)
	@bash scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest --cov=stackatlas --cov-report=term:skip-covered

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python benchmarks/run_all.py

# The documentation site (mkdocs-material) into site/, strictly: a broken link or a page
# missing from the nav fails the build.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# The README's picture of the dashboard (docs/images/dashboard.png), taken by the browser test.
screenshot: $(STAMP)
	@bash scripts/ensure-chromium.sh
	STACKATLAS_UPDATE_PICTURE=1 $(BIN)/python -m pytest tests/web/test_browser.py -q -p no:cacheprovider -k readme_picture

# Release check: sdist + wheel, twine check, then the wheel installed into a fresh venv runs
# --version, validate, map, run and report offline (scripts/dist.py; a test runs it too).
dist: $(STAMP)
	$(BIN)/python scripts/dist.py

clean:
	rm -rf $(VENV) build dist site .pytest_cache .ruff_cache .coverage
