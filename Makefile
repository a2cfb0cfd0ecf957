# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV ?= .venv
STAMP := $(VENV)/.studio-installed
PACK_PYPROJECTS := $(wildcard plugins/*/pyproject.toml)

.PHONY: run test lint bench clean-venv

$(STAMP): pyproject.toml $(PACK_PYPROJECTS) packaging/bootstrap.sh
	bash packaging/bootstrap.sh

run: $(STAMP)
	$(VENV)/bin/studio gui

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(VENV)/bin/python -m pytest -q

bench: $(STAMP)
	$(VENV)/bin/python -m bench

clean-venv:
	rm -rf $(VENV)
