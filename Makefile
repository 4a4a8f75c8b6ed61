# The two commands a newcomer needs: `make run` and `make test`. `make setup` is the idempotent set-up.
VENV := .venv
PY := $(VENV)/bin/python
MODEL_DIR := resources/models/all-MiniLM-L6-v2
STAMP := $(VENV)/.setup-stamp

.PHONY: setup run test lint bench package clean

setup: $(STAMP) $(MODEL_DIR)/.complete

$(VENV)/bin/python:
	"$$(sh packaging/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml packaging/install-system-deps.sh | $(VENV)/bin/python
	sh packaging/install-system-deps.sh
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(MODEL_DIR)/.complete: packaging/install_model.py $(STAMP)
	$(PY) packaging/install_model.py $(MODEL_DIR)

run: setup
	$(VENV)/bin/inmyhead-gui

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

bench: setup  # BENCH_ARGS="--full" for the README's sizes, "--only retrieval" for one
	$(PY) bench/run_all.py $(BENCH_ARGS)

package: setup  # PyInstaller comes with the dev extra; PACKAGE_ARGS="--compression xz" for a smaller .deb
	$(PY) packaging/build.py $(PACKAGE_ARGS)

clean:
	rm -rf $(VENV) build dist resources/models
