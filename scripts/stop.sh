#!/usr/bin/env bash
# Stop the worker and server that scripts/serve.sh started (by the PIDs it recorded).
set -uo pipefail
cd "$(dirname "$0")/.."
STATE_DIR="${STATE_DIR:-$PWD/.prefect/serve}"
for name in worker server; do
  pidfile="$STATE_DIR/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
    echo "stopped $name ($pid)"
  fi
  rm -f "$pidfile"
done
