#!/usr/bin/env bash
# Redis for dev/test/CI: Debian's redis-server, run as a private instance of
# this project on a port of its own, so that a Redis already serving 6379 (the
# package's own service, or a developer's) is neither used nor touched.
#   scripts/services/redis.sh start   install if needed, start, wait for PING
#   scripts/services/redis.sh stop    stop the private instance (only it)
#   scripts/services/redis.sh env     print REDIS_URL
# Nothing is persisted: the tests' counters are throw-away.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

REDIS_PORT=${REDIS_PORT:-6390}
# A system path, like Elasticsearch's: the server runs as Debian's `redis`
# user, which could not enter a clone under /root (mode 700).
REDIS_ROOT=${REDIS_ROOT:-/opt/dvctt-kb/redis}
REDIS_USER=redis
REDIS_CONF="$REDIS_ROOT/redis.conf"
REDIS_PIDFILE="$REDIS_ROOT/run/redis.pid"
REDIS_LOG="$REDIS_ROOT/log/redis.log"
REDIS_START_TIMEOUT=${REDIS_START_TIMEOUT:-30}

# timeout: a port that accepts but never answers must not hang the script.
is_up() {
  [ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

write_config() {
  as_root mkdir -p "$REDIS_ROOT/data" "$REDIS_ROOT/log" "$REDIS_ROOT/run"
  as_root tee "$REDIS_CONF" >/dev/null <<CONF
# written by scripts/services/redis.sh
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $REDIS_PIDFILE
logfile $REDIS_LOG
dir $REDIS_ROOT/data
save ""
appendonly no
CONF
  as_root chown -R "$REDIS_USER:$REDIS_USER" "$REDIS_ROOT/data" "$REDIS_ROOT/log" "$REDIS_ROOT/run"
}

# Pid of our instance, from its pidfile; fails when none is alive. The owner
# check guards against a stale pidfile whose pid was reused.
redis_pid() {
  local pid
  pid=$(as_root cat "$REDIS_PIDFILE" 2>/dev/null || true)
  [ -n "$pid" ] && [ "$(stat -c %U "/proc/$pid" 2>/dev/null)" = "$REDIS_USER" ] && echo "$pid"
}

show_log() {
  echo "[services] --- tail of $REDIS_LOG ---" >&2
  as_root tail -n 30 "$REDIS_LOG" >&2 2>/dev/null || true
}

start() {
  if is_up; then
    log "redis already running on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  # The package (with redis-tools: redis-cli) also enables Debian's own
  # service on 6379 where systemd runs; these scripts leave it alone.
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null \
    || apt_install redis-server
  id -u "$REDIS_USER" >/dev/null 2>&1 || die "user $REDIS_USER missing (installed by redis-server)"

  if redis_pid >/dev/null; then
    log "redis process $(redis_pid) exists, waiting for it"
  else
    write_config
    log "starting redis on 127.0.0.1:$REDIS_PORT ($REDIS_ROOT)"
    as_root rm -f "$REDIS_PIDFILE"
    as_user "$REDIS_USER" redis-server "$REDIS_CONF" || { show_log; die "redis failed to start"; }
  fi

  local waited=0
  until is_up; do
    if [ "$waited" -ge "$REDIS_START_TIMEOUT" ]; then
      show_log; die "redis not answering after ${REDIS_START_TIMEOUT} s"
    fi
    sleep 1; waited=$((waited + 1))
  done
  log "redis ready: $(redis_url)"
}

stop() {
  local pid
  if ! pid=$(redis_pid); then
    log "redis not running (no live pid in $REDIS_PIDFILE)"
    return 0
  fi
  log "stopping redis (pid $pid)"
  as_root kill "$pid"
  local i
  for i in $(seq 1 30); do
    as_root kill -0 "$pid" 2>/dev/null || { log "redis stopped"; return 0; }
    sleep 1
  done
  log "redis still up after 30 s, killing"
  as_root kill -9 "$pid" 2>/dev/null || true
}

redis_url() { echo "redis://127.0.0.1:$REDIS_PORT/0"; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "REDIS_URL=$(redis_url)" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
