#!/usr/bin/env bash
# Start a local Prefect server (127.0.0.1 only), create the process work pool, deploy prefect.yaml
# and start a worker. PIDs go to $STATE_DIR so scripts/stop.sh can stop exactly what this started.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PREFECT_PORT:-4200}"
STATE_DIR="${STATE_DIR:-$PWD/.prefect/serve}"
PY="${PYTHON:-$PWD/.venv/bin/python}"
mkdir -p "$STATE_DIR" data/inbox
export PREFECT_HOME="${PREFECT_HOME:-$PWD/.prefect}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
export PREFECT_SERVER_API_HOST=127.0.0.1 PREFECT_SERVER_API_PORT="$PORT"
export PREFECT_API_URL="http://127.0.0.1:$PORT/api"
export TW_PROJECT_DIR="$PWD"
set -m  # own process groups, so the worker honours SIGTERM from stop.sh

"$PY" -m prefect server start >"$STATE_DIR/server.log" 2>&1 &
echo $! >"$STATE_DIR/server.pid"
for _ in $(seq 1 120); do
  curl -fsS "$PREFECT_API_URL/health" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$PREFECT_API_URL/health" >/dev/null || { echo "server did not start; see $STATE_DIR/server.log" >&2; exit 1; }

"$PY" -m prefect work-pool inspect transcripts >/dev/null 2>&1 \
  || "$PY" -m prefect work-pool create transcripts --type process >/dev/null
"$PY" -m prefect --no-prompt deploy --all >"$STATE_DIR/deploy.log" 2>&1 \
  || { cat "$STATE_DIR/deploy.log" >&2; exit 1; }
"$PY" -m prefect worker start --pool transcripts >"$STATE_DIR/worker.log" 2>&1 &
echo $! >"$STATE_DIR/worker.pid"

echo "Prefect UI:  http://127.0.0.1:$PORT"
echo "API:         $PREFECT_API_URL"
echo "Deployments: ingest-transcripts/inbox-hourly (cron, hourly), ingest-transcripts/on-demand"
echo "Stop with:   make stop"
