#!/usr/bin/env bash
# Stop the services started by up.sh (Redis, the Elasticsearch cluster and node, then
# PostgreSQL).
# Data is kept (Redis keeps none); up.sh starts them again.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

"$here/redis.sh" stop
"$here/es-cluster.sh" stop
"$here/elasticsearch.sh" stop
"$here/postgres.sh" stop
