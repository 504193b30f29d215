#!/usr/bin/env bash
# Stop the services started by up.sh (Elasticsearch, then PostgreSQL).
# Data is kept; up.sh starts them again.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

"$here/elasticsearch.sh" stop
"$here/postgres.sh" stop
