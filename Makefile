# Two commands do everything (see README.md):
#   make site   build the environment, run the pipeline and every notebook, render the site
#   make test   build the environment if needed and run the whole test suite
#   (make test-fast: the pure unit tests only, the loop while changing code; see tests/README.md)
# For analysts: make lab   build the environment if needed and open the notebooks in JupyterLab
#   (options for JupyterLab go in LAB_ARGS, e.g. make lab LAB_ARGS="--no-browser --port=8890")
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LAB_ARGS ?=

.PHONY: site test test-fast test-quick env process notebooks notebooks-all render render-all lint format clean benchmarks lab

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m analysis install-kernel
	$(BIN)/python -m analysis warm-up
	@touch $(STAMP)

# The pipeline runs only when the raw package, analysis/, requirements.txt or data/processed/ changed
# since it last ran here (a content stamp in .build/); `python -m analysis process` always runs it.
process: env
	$(BIN)/python -m analysis process --changed

# Each notebook is re-executed only when it, the code of the analysis modules it imports (docstrings and
# comments aside), data/, or requirements.txt changed
# since it was last executed here (content hashes in .build/, git-ignored); `make notebooks-all` runs them all.
# ... and the Markdown copies of the Glossary and Reproduce pages that the notebooks link to (for JupyterLab).
notebooks: process
	$(BIN)/python -m analysis run-notebooks --changed
	$(BIN)/python -m analysis lab-pages --changed

notebooks-all: process
	$(BIN)/python -m analysis run-notebooks
	$(BIN)/python -m analysis lab-pages

# Each page is rendered again only when its inputs changed since it was last rendered here (stamps in
# .build/, see analysis/render.py); a change to what every page carries renders all, saying why.
# `make render-all` renders every page.
RENDER_ARGS ?= --changed
render-all: RENDER_ARGS =
render-all: render

render: env
	@QUARTO_BIN="$${QUARTO:-$$(command -v quarto)}"; \
	if [ -z "$$QUARTO_BIN" ] || ! command -v "$$QUARTO_BIN" >/dev/null 2>&1; then \
	  echo "error: the Quarto CLI was not found (looked for \$$QUARTO, then 'quarto' on PATH)." >&2; \
	  echo "The analysis ran and data/processed/ and notebooks/ are up to date; only the site was not rendered." >&2; \
	  echo "Get Quarto from https://quarto.org/docs/get-started/ or, with internet access, 'pip install quarto-cli'," >&2; \
	  echo "then run 'make site' again (or set QUARTO=/path/to/quarto)." >&2; \
	  exit 1; \
	fi; \
	QUARTO_PYTHON="$(CURDIR)/$(BIN)/python" $(BIN)/python -m analysis render --quarto "$$QUARTO_BIN" $(RENDER_ARGS)

site: notebooks
	@$(MAKE) --no-print-directory render

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/nbqa ruff notebooks

format: env
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/nbqa ruff --fix notebooks

# Tests run on every core; a notebook's cells stay together on one worker (--dist loadfile).
test: env
	$(BIN)/python -m pytest -n auto --dist loadfile

# While working: every test but those marked slow (make test, which CI runs, runs them all).
test-quick: env
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not slow"

# The quick loop: the pure unit tests (tests/unit: no child process, no raw copy, no notebook) but
# those marked slow; no notebooks, no network, no Quarto (see tests/README.md). Without the nbval
# plugin (addopts replaced): importing it costs each process seconds, and no unit test needs it.
test-fast: env
	$(BIN)/python -m pytest tests/unit -n auto --dist loadfile -m "not slow" -p no:nbval -o addopts="-ra -p no:cacheprovider"

# JupyterLab from the project's environment, with the project's python3 kernel (ipykernel in .venv,
# analysis/ installed editable, so imports work from the notebooks' folder). It serves the project
# folder and opens on notebooks/, so the notebooks' links to the glossary, the Reproduce page and
# the data files open those files in Lab. Jupyter refuses to run as root unless told; root is
# common in containers, so allow it there.
lab: env
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --ServerApp.default_url=/lab/tree/notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

benchmarks: env
	@for b in benchmarks/bench_*.py; do [ -f "$$b" ] && $(BIN)/python "$$b"; done; true

clean:
	rm -rf _site .quarto .build
