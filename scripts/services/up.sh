#!/usr/bin/env bash
# Start every service the tests need and write .services.env at the repo
# root. Idempotent: a second run only checks that everything answers.
#   scripts/services/up.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/_lib.sh"
root=$(cd "$here/../.." && pwd)

start_s=$(date +%s)
"$here/postgres.sh" start
"$here/elasticsearch.sh" start
"$here/es-cluster.sh" start
"$here/redis.sh" start
"$here/objectstore.sh" start
"$here/browser.sh" install
"$here/proxy.sh" install  # nginx for the load test's small run; the test starts its own

# Write to a temp file and rename, so a reader never sees half a file.
env_file="$root/.services.env"
{
  echo "# written by scripts/services/up.sh; do not commit"
  "$here/postgres.sh" env
  "$here/elasticsearch.sh" env
  "$here/es-cluster.sh" env
  "$here/redis.sh" env
  "$here/objectstore.sh" env
  "$here/browser.sh" env
} >"$env_file.tmp"
mv "$env_file.tmp" "$env_file"

log "services up in $(( $(date +%s) - start_s )) s; $env_file:"
grep -v '^#' "$env_file" | sed 's/^/    /'
log "load it into your shell with:  set -a; . ./.services.env; set +a"
log "(make test reads it by itself)"
