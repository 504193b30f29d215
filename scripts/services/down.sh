#!/usr/bin/env bash
# Stop the services started by up.sh (the object store, Redis, the Elasticsearch cluster and
# node, then PostgreSQL).
# Data is kept (the object store and Redis keep none); up.sh starts them again.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

"$here/objectstore.sh" stop
"$here/redis.sh" stop
"$here/es-cluster.sh" stop
"$here/elasticsearch.sh" stop
"$here/postgres.sh" stop
