#!/usr/bin/env bash
# The background worker (every queue), started again when it fails, as a process manager
# would (systemd's Restart=on-failure): db_worker stops on a database error it cannot wait
# out, such as PostgreSQL restarting. `make serve` and the load test run it; a deployment
# gives the same job to systemd (docs/production.md).
#   scripts/worker.sh [db_worker options…]
# WORKER_RESTART_SECONDS (2): the pause before starting again. SIGTERM or SIGINT: the task
# under way finishes, then the worker and this loop stop. A worker that ends cleanly
# (--batch, --max-tasks) ends the loop too.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
pause=${WORKER_RESTART_SECONDS:-2}

stopping=0
child=
stop() {
  stopping=1
  [[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT

while :; do
  "$BIN/python" manage.py db_worker --backend background --queue-name '*' --no-reload -v0 "$@" &
  child=$!
  # `wait` returns as soon as a trapped signal arrives: wait again until the worker is gone.
  while :; do
    wait "$child"
    status=$?
    kill -0 "$child" 2>/dev/null || break
  done
  child=
  if [[ $stopping == 1 || $status == 0 ]]; then
    exit 0
  fi
  echo "worker.sh: db_worker stopped (exit $status); starting again in $pause s" >&2
  sleep "$pause" &
  wait $! || true
  [[ $stopping == 1 ]] && exit 0
done
