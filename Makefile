# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each bootstraps the environment from uv.lock first (uv is installed with pip if missing).

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
INPUT ?= data/raw
WAREHOUSE ?= data/warehouse
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED = false
export DO_NOT_TRACK = 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_LOGGING_LEVEL ?= WARNING

.PHONY: setup run test query status clean serve stop bench

setup: .venv/.synced

.venv/.synced: uv.lock pyproject.toml
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install -q uv
	$(UV) sync --frozen --all-extras --compile-bytecode
	@touch $@

run: setup  ## ingest the sample corpus (or INPUT=folder) into data/warehouse (or WAREHOUSE=folder)
	$(UV) run --frozen tw run $(INPUT) --warehouse $(WAREHOUSE)
	$(UV) run --frozen tw status --warehouse $(WAREHOUSE)

test: setup  ## the whole test suite
	$(UV) run --frozen pytest -q

EPISODES ?= 10000
REPEATS ?= 3
bench: setup  ## benchmark: EPISODES synthetic episodes (default 10000) through the pipeline -> bench/results/*.json
	$(UV) run --frozen python -m bench.run --episodes $(EPISODES) --repeats $(REPEATS) $(if $(SCALING),--scaling $(SCALING))

status: setup
	$(UV) run --frozen tw status --warehouse $(WAREHOUSE)

clean:
	rm -rf $(WAREHOUSE) .prefect .pytest_cache

serve: setup  ## local Prefect server + work pool + deployments + worker (UI address printed)
	./scripts/serve.sh

stop:  ## stop what `make serve` started
	./scripts/stop.sh
