#!/usr/bin/env bash
# PostgreSQL for dev/test/CI, using Debian's packaged cluster.
#   scripts/services/postgres.sh start   install if needed, start, create role+db
#   scripts/services/postgres.sh stop    stop the cluster
#   scripts/services/postgres.sh env     print DATABASE_URL
#   scripts/services/postgres.sh instance start|restart|stop DIR PORT
#       a private server of the same Debian binaries, data in DIR (initdb on first use), on
#       127.0.0.1:PORT, with the same role and a database ($INSTANCE_DB, default dvctt): the
#       load test (issue 14) restarts one of its own, never the shared cluster above
# Role/db/password are all "dvctt"; the role has CREATEDB so pytest-django can
# create its test_dvctt database.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

PGPORT=${PGPORT:-5432}
DB_NAME=dvctt DB_USER=dvctt DB_PASSWORD=dvctt

# Debian's newest installed server major version (e.g. 15), or empty.
pg_version() {
  ls /usr/lib/postgresql/*/bin/postgres 2>/dev/null | awk -F/ '{print $5}' | sort -n | tail -1
}

ensure_installed() {
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(pg_version)" ]; then
    apt_install postgresql
  fi
}

# "VERSION NAME" of the cluster to use: the existing 'main' of the newest
# version, else the first cluster listed, else a new 'main'.
find_cluster() {
  local ver; ver=$(pg_version)
  if pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main"{f=1} END{exit !f}'; then
    echo "$ver main"
  else
    pg_lsclusters -h | awk 'NR==1{print $1, $2}'
  fi
}

cluster() {
  local ver; ver=$(pg_version)
  if [ -n "$(find_cluster)" ]; then
    find_cluster
  else
    log "creating cluster $ver/main"
    # Why: a fresh machine whose package postinst did not create a cluster.
    as_root pg_createcluster "$ver" main --port "$PGPORT" >/dev/null
    echo "$ver main"
  fi
}

psql_admin() { as_user postgres psql -p "$PGPORT" -X -q -v ON_ERROR_STOP=1 "$@"; }

start() {
  ensure_installed
  local ver name; read -r ver name < <(cluster)

  # Listen on loopback only, on the wanted port, via a conf.d drop-in (the
  # Debian postgresql.conf includes conf.d/ last, so it wins). Rewrite it only
  # when it differs, so a second run does not restart a running cluster.
  local conf="/etc/postgresql/$ver/$name/conf.d/dvctt.conf" want changed=0
  want=$(printf "# written by scripts/services/postgres.sh\nlisten_addresses = '127.0.0.1'\nport = %s\n" "$PGPORT")
  if [ "$(as_root cat "$conf" 2>/dev/null)" != "$want" ]; then
    printf '%s\n' "$want" | as_root tee "$conf" >/dev/null
    changed=1
  fi

  local status; status=$(pg_lsclusters -h | awk -v v="$ver" -v n="$name" '$1==v && $2==n{print $4}')
  if [ "$status" = online ] && [ "$changed" = 1 ]; then
    log "postgres $ver/$name: config changed, restarting"
    as_root pg_ctlcluster "$ver" "$name" restart
  elif [ "$status" = online ]; then
    log "postgres $ver/$name already running on port $PGPORT"
  else
    log "starting postgres $ver/$name on 127.0.0.1:$PGPORT"
    as_root pg_ctlcluster "$ver" "$name" start
  fi

  local i
  for i in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break
    [ "$i" -eq 60 ] && { as_root tail -n 30 "/var/log/postgresql/postgresql-$ver-$name.log" >&2 || true; die "postgres not ready after 60 s"; }
    sleep 1
  done

  # Role: create if missing; otherwise reset password/attributes so a role
  # left by someone else still matches DATABASE_URL.
  psql_admin -d postgres <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  ELSE
    ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  END IF;
END
\$\$;
SQL
  if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
    log "creating database $DB_NAME"
    psql_admin -d postgres -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
  fi
  log "postgres ready: $(db_url)"
}

stop() {
  command -v pg_lsclusters >/dev/null || { log "postgres not installed"; return 0; }
  local ver name status
  read -r ver name < <(find_cluster) || true
  [ -n "${ver:-}" ] || { log "no postgres cluster"; return 0; }
  status=$(pg_lsclusters -h | awk -v v="$ver" -v n="$name" '$1==v && $2==n{print $4}')
  if [ "$status" = online ]; then
    log "stopping postgres $ver/$name"
    as_root pg_ctlcluster "$ver" "$name" stop
  else
    log "postgres $ver/$name not running"
  fi
}

db_url() { echo "postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PGPORT/$DB_NAME"; }

# --- A private instance: pg_ctl on a data folder of its own ---------------------------------

instance() {
  local action=${1:?start|restart|stop} dir=${2:?data folder} port=${3:-}
  local bin; bin="/usr/lib/postgresql/$(pg_version)/bin"
  case "$action" in
    start | restart) [ -n "$port" ] || die "instance $action needs a port" ;;
  esac
  if [ "$action" = stop ]; then
    if as_user postgres test -f "$dir/postmaster.pid"; then
      log "stopping the postgres instance in $dir"
      as_user postgres "$bin/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null
    else
      log "no postgres instance running in $dir"
    fi
    return 0
  fi
  ensure_installed
  bin="/usr/lib/postgresql/$(pg_version)/bin"
  if ! as_user postgres test -f "$dir/PG_VERSION"; then
    as_root mkdir -p "$dir"
    as_root chown postgres:postgres "$dir"
    as_user postgres test -w "$dir" \
      || die "user postgres cannot write $dir (a folder it can reach, e.g. under /tmp)"
    log "initdb $dir"
    as_user postgres "$bin/initdb" -D "$dir" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  # Loopback only; the socket in the data folder (not /var/run/postgresql: no clash with the
  # shared cluster); fsync kept, as in production, since a restart is what is tested.
  local opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir"
  opts+=" -c max_connections=${INSTANCE_MAX_CONNECTIONS:-200}"
  if [ "$action" = restart ]; then
    log "restarting the postgres instance in $dir (port $port)"
    as_user postgres "$bin/pg_ctl" -D "$dir" -m fast -w -t 60 -o "$opts" -l "$dir/server.log" \
      restart >/dev/null
    return 0  # accepting connections again (-w): the load test's window ends here
  elif as_user postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    log "postgres instance in $dir already running"
  else
    log "starting a postgres instance in $dir on 127.0.0.1:$port"
    as_user postgres "$bin/pg_ctl" -D "$dir" -w -t 60 -o "$opts" -l "$dir/server.log" start \
      >/dev/null || { as_root tail -n 30 "$dir/server.log" >&2; die "the instance did not start"; }
  fi
  local psql=(as_user postgres psql -h "$dir" -p "$port" -X -q -v ON_ERROR_STOP=1 -d postgres)
  local db=${INSTANCE_DB:-$DB_NAME}
  if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
  fi
  if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE $db OWNER $DB_USER"
  fi
  log "postgres instance ready: postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$db"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "DATABASE_URL=$(db_url)" ;;
  instance) shift; instance "$@" ;;
  *) echo "usage: $0 start|stop|env|instance start|restart|stop DIR PORT" >&2; exit 2 ;;
esac
