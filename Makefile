# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a helper for them.
SHELL := /bin/bash
PYTHON ?= python3
# Use uv from PATH when present; otherwise bootstrap it with pip into .tools/ (no system changes).
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never

.PHONY: demo test install lint typecheck pytest messages bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

install: $(UV)
	$(UV) sync --frozen --python $(PYTHON)

demo: install
	PORT=$(PORT) ./scripts/demo.sh

lint: install
	$(UV) run --frozen ruff check src tests bench scripts
	$(UV) run --frozen ruff format --check src tests bench scripts

typecheck: install
	GONGHUI_TESTING=1 $(UV) run --frozen mypy src

pytest: install
	GONGHUI_TESTING=1 $(UV) run --frozen pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# Re-extract the translatable strings and compile the catalogue (needs GNU gettext). The compiled .mo is
# committed, so a fresh machine without gettext still serves Chinese.
messages: install
	cd src/gonghui && GONGHUI_TESTING=1 ../../.venv/bin/gonghui makemessages -l zh_Hans --no-obsolete --no-location
	msgfmt --check -o locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po

bench: install
	$(UV) run --frozen python bench/tree.py

clean:
	rm -rf .venv .tools var test-artifacts
