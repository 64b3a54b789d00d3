# Two commands set everything up on a fresh machine with Python 3.11+:
#   make run    virtualenv, install, migrate, demo data on first start, serve on 127.0.0.1:8000
#               with the background worker beside it
#   make test   install, then ruff, mypy and pytest
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Muster needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Links in feeds, QR codes and e-mails point at the address served, unless set otherwise.
run: export MUSTER_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/muster db upgrade
	$(BIN)/muster demo --if-empty
	@echo "Muster is at http://$(HOST):$(PORT)/ (API docs at /docs). Ctrl-C stops it."
	@# The worker (e-mails, reminders, digests, long jobs) runs beside the server and stops with it.
	@$(BIN)/muster worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations

typecheck: install
	$(BIN)/mypy app

pytest: install
	$(BIN)/pytest

test: lint typecheck pytest

# Every benchmark runs, even after one misses a target; the summary names each one's result,
# and the exit status is non-zero if any missed (bench/results/*.md hold their latest figures).
bench: install
	@results=""; failed=0; \
	for script in bench/bench_*.py; do \
		echo "== $$script"; \
		if $(BIN)/python $$script; then status=ok; else status="FAILED (exit $$?)"; failed=1; fi; \
		results="$$results$$script: $$status\n"; \
	done; \
	printf "\n== make bench\n$$results"; \
	exit $$failed

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts
