#!/usr/bin/env bash
# Runs the suite. Service addresses come from the environment, or from .services.env
# (written by `make services`) for any that the environment does not set.
set -euo pipefail
bin=${1:-.venv/bin}
cd "$(dirname "$0")/.."

if [ -f .services.env ]; then
  while IFS='=' read -r key value; do
    [[ -z "$key" || "$key" == \#* ]] && continue
    [ -z "${!key:-}" ] && export "$key=$value"
  done < .services.env
fi

# The suite's own settings, whatever the caller exported (the Makefile exports the dev ones).
export DJANGO_SETTINGS_MODULE=kb.settings.test

echo "[test] DATABASE_URL=${DATABASE_URL:-sqlite (default)}"
echo "[test] ELASTICSEARCH_URL=${ELASTICSEARCH_URL:-unset}"
echo "[test] REDIS_URL=${REDIS_URL:-unset}"
echo "[test] CHROMIUM_PATH=${CHROMIUM_PATH:-unset}"
echo "[test] OBJECT_STORAGE_URL=${OBJECT_STORAGE_URL:-unset}"
if [ "$#" -gt 1 ] || [[ "${DATABASE_URL:-sqlite}" == sqlite* ]]; then
  exec "$bin/pytest" "${@:2}"
fi
# The whole suite on PostgreSQL, then the database search engine again on SQLite: the two
# databases have different full-text indexes (search/fulltext.py), and `make run` uses SQLite.
"$bin/pytest"
echo "[test] search on SQLite: tests/search, the database engine"
DATABASE_URL=sqlite:///"$(mktemp -d)"/search.sqlite3 "$bin/pytest" tests/search -m "not elasticsearch and not postgres and not redis"
