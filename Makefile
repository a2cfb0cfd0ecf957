# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV ?= .venv
STAMP := $(VENV)/.studio-installed
PACK_PYPROJECTS := $(wildcard plugins/*/pyproject.toml)

.PHONY: run test lint bench clean-venv translations bundle bundle-smoke

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

# The window's Chinese catalogue: every tr() string of studio/ui (new ones arrive
# unfinished, translated ones are kept), then compiled for the window to load.
translations:
	$(VENV)/bin/pyside6-lupdate -extensions py -no-obsolete studio/ui -ts resources/i18n/studio_zh_CN.ts
	$(VENV)/bin/pyside6-lrelease resources/i18n/studio_zh_CN.ts -qm resources/i18n/studio_zh_CN.qm

# The one-folder bundled app in dist/studio (slow: many minutes; not part of `make test`).
bundle: $(STAMP)
	VENV=$(VENV) bash packaging/build_bundle.sh

# Build the bundle, then run its executable headless through packaging/smoke.py.
bundle-smoke: bundle
	HF_HUB_OFFLINE=1 $(VENV)/bin/python packaging/smoke.py

clean-venv:
	rm -rf $(VENV)
