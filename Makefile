# The one place the course's tasks live. A fresh machine needs only:
#   make lab    set up if needed, then open JupyterLab on lesson 00
#   make test   set up if needed, then run every test
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HUB_STAMP := $(VENV)/.installed-hub
MANAGE := cd demo_project && ../$(PY) manage.py
# JupyterLab options: make lab LAB_ARGS="--port=9999 --no-browser"
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=
NB_TIMEOUT ?= 60

# make bench QUICK=1: one run a lesson and no fresh install (for a look, not for committing)
QUICK ?=
SOAK_RUNS ?= 10

.PHONY: help setup dev-setup hub-setup lab hub test lint typecheck generate exercises bench students soak strip clean FORCE

help:  ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The venv is rebuilt when it is missing, when its python no longer runs (the machine's
# python3 changed), or when the pins in pyproject.toml are newer than the last install.
ifneq ($(shell $(PY) -c 'print("ok")' 2>/dev/null),ok)
$(STAMP): FORCE
endif
FORCE:

# What a student needs: the course's pins (no test tools).
$(STAMP): pyproject.toml lab/overrides.json lab/jupyter_server_config.json
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "This course needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) -V 2>&1)." \
	         "Run: make lab PYTHON=python3.12"; exit 1; }
	@$(PY) -c '' 2>/dev/null || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	@# Bytecode for everything but the packages' own test suites (twisted/test, tornado/test,
	@# .../tests: some 15 MB nothing here imports; django/test is Django's test client, kept).
	@# Compiled now, so imports stay fast where PYTHONDONTWRITEBYTECODE is set (Docker images).
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -e .
	@# JupyterLab's defaults for the course (no news pop-up): lab/overrides.json.
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp lab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@# The Jupyter server's, so a lesson opens unmodified (course/lab.py).
	@mkdir -p $(VENV)/etc/jupyter
	@cp lab/jupyter_server_config.json $(VENV)/etc/jupyter/jupyter_server_config.json
	@$(PY) -m compileall -qq -j 0 -x '/(tests|(?<!django/)test)/' $(VENV)/lib || true
	@rm -f $(DEV_STAMP)
	@touch $@

# What the tests add: pytest, nbmake, ruff, mypy.
$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

setup: $(STAMP)  ## create or refresh .venv and the demo database
	@$(MANAGE) migrate --verbosity 0

dev-setup: setup $(DEV_STAMP)  ## setup, plus the test tools

# What `make hub` adds: JupyterHub and its idle culler (the `hub` extra), and the npm proxy
# pinned by hub/package-lock.json, into hub/node_modules/.
$(HUB_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[hub]'
	@touch $@

hub/node_modules/.package-lock.json: hub/package-lock.json
	@command -v npm >/dev/null || { echo "make hub needs npm: sudo apt-get install -y npm"; exit 1; }
	cd hub && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

hub-setup: setup $(HUB_STAMP) hub/node_modules/.package-lock.json  ## setup, plus JupyterHub and its proxy

# make hub HUB_PORT=8000 HUB_PASSWORD=... HUB_ADMIN=instructor HUB_ADMIN_PASSWORD=... (hub/__main__.py)
hub: hub-setup  ## a JupyterHub for a class on this host, in the foreground (docs/workshop-guide.md)
	$(PY) -m hub

lab: setup  ## open JupyterLab on lesson 00
	$(VENV)/bin/jupyter lab notebooks/00-welcome-and-setup.ipynb \
	  --ServerApp.root_dir="$(CURDIR)" $(ROOT_FLAG) $(LAB_ARGS)

test: dev-setup hub-setup lint typecheck  ## run every test: ruff, import floors, mypy, generated files, pytest
	$(PY) -m course generate --check
	$(PY) -m pytest -n 2 --dist loadfile --nbmake --nbmake-timeout=$(NB_TIMEOUT) \
	  tests notebooks $$(ls solutions/*.ipynb 2>/dev/null) $(PYTEST_ARGS)

lint: $(DEV_STAMP)  ## ruff (lint and format check) and the toolkit's import floors (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(DEV_STAMP)  ## mypy --strict on the toolkit
	$(VENV)/bin/mypy

generate: $(STAMP)  ## write every generated file: navigation, exercises/ from solutions/, the guide, pain points
	$(PY) -m course generate

exercises: generate  ## the same as make generate (exercises/ is never edited by hand)

bench: setup  ## measure lessons' waits, server starts, the whole course, check(), grading, memory, a fresh install (bench/RESULTS.md)
	$(PY) -m bench.lessons $(if $(QUICK),--runs 1)
	$(PY) -m bench.servers $(if $(QUICK),--runs 3)
	$(PY) -m bench.whole_course
	$(PY) -m bench.grading
	$(PY) -m bench.memory
	$(if $(QUICK),,$(PY) -m bench.install)
	$(PY) -m bench.report
	$(PY) -m course guide

students: setup $(if $(HUB),hub-setup)  ## 8 students at once on this host: the whole course each, ports, Redis (bench/results.json); HUB=1: through a real hub
	$(PY) -m bench.students $(if $(HUB),--hub)
	$(PY) -m course guide

soak: setup  ## every notebook SOAK_RUNS (10) times, then kernels killed mid-run: nothing may be left
	$(PY) -m bench.soak --runs $(SOAK_RUNS)
	$(PY) -m bench.report

strip: $(STAMP)  ## clear the outputs of every committed notebook
	$(PY) -m course strip notebooks/*.ipynb $$(ls solutions/*.ipynb exercises/*.ipynb 2>/dev/null)

clean:  ## remove the venv and the demo database
	rm -rf $(VENV) demo_project/db.sqlite3
