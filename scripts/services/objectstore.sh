#!/usr/bin/env bash
# An S3-compatible object store for dev/test/CI: moto's server (PyPI `moto[server]`), so that
# the tests of object storage (django-storages' S3 backend) talk to a real HTTP endpoint with
# no Docker and no cloud account.
#   scripts/services/objectstore.sh start   install if needed, start, wait until it answers
#   scripts/services/objectstore.sh stop    stop the server of our own pidfile (only it)
#   scripts/services/objectstore.sh env     print OBJECT_STORAGE_URL
# Nothing is persisted: buckets live in the server's memory, and each test makes its own.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

OBJECTSTORE_PORT=${OBJECTSTORE_PORT:-9400}
MOTO_VERSION=${MOTO_VERSION:-5.2.5}
# A system path, like Redis's and Elasticsearch's: the server runs as an unprivileged user
# that could not enter a clone under /root (mode 700). It has a virtualenv of its own, on
# Debian's python3: `make services` runs before the project's virtualenv exists (CI), and a
# user's pyenv interpreter under /root would be out of the server user's reach.
OBJECTSTORE_ROOT=${OBJECTSTORE_ROOT:-/opt/dvctt-kb/objectstore}
OBJECTSTORE_USER=dvctt-s3
OBJECTSTORE_VENV="$OBJECTSTORE_ROOT/venv"
OBJECTSTORE_PIDFILE="$OBJECTSTORE_ROOT/run/moto.pid"
OBJECTSTORE_LOG="$OBJECTSTORE_ROOT/log/moto.log"
OBJECTSTORE_START_TIMEOUT=${OBJECTSTORE_START_TIMEOUT:-30}
OBJECTSTORE_URL="http://127.0.0.1:$OBJECTSTORE_PORT"
SYSTEM_PYTHON=/usr/bin/python3

# moto answers an unsigned ListBuckets on `/`; a port that accepts but never answers must not
# hang the script (-m).
is_up() { curl -fsS -m 5 "$OBJECTSTORE_URL/" 2>/dev/null | grep -q ListAllMyBucketsResult; }

installed_version() {
  "$OBJECTSTORE_VENV/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null || true
}

install_moto() {
  command -v curl >/dev/null || apt_install curl
  [ -x "$SYSTEM_PYTHON" ] || apt_install python3
  "$SYSTEM_PYTHON" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  [ "$(installed_version)" = "$MOTO_VERSION" ] && return 0
  log "installing moto[server] $MOTO_VERSION into $OBJECTSTORE_VENV"
  as_root mkdir -p "$OBJECTSTORE_ROOT"
  [ -x "$OBJECTSTORE_VENV/bin/python" ] || as_root "$SYSTEM_PYTHON" -m venv "$OBJECTSTORE_VENV"
  as_root "$OBJECTSTORE_VENV/bin/python" -m pip install -q --disable-pip-version-check \
    --progress-bar off "moto[server]==$MOTO_VERSION" \
    || die "pip could not install moto[server]==$MOTO_VERSION"
}

ensure_user() {
  id -u "$OBJECTSTORE_USER" >/dev/null 2>&1 && return 0
  log "creating system user $OBJECTSTORE_USER"
  as_root useradd --system --no-create-home --shell /usr/sbin/nologin "$OBJECTSTORE_USER"
}

# Pid of our server, from its pidfile; fails when none is alive. The owner check guards
# against a stale pidfile whose pid was reused.
objectstore_pid() {
  local pid
  pid=$(as_root cat "$OBJECTSTORE_PIDFILE" 2>/dev/null || true)
  [ -n "$pid" ] && [ "$(stat -c %U "/proc/$pid" 2>/dev/null)" = "$OBJECTSTORE_USER" ] && echo "$pid"
}

show_log() {
  echo "[services] --- tail of $OBJECTSTORE_LOG ---" >&2
  as_root tail -n 30 "$OBJECTSTORE_LOG" >&2 2>/dev/null || true
}

start() {
  if is_up; then
    log "object store already running at $OBJECTSTORE_URL"
    return 0
  fi
  install_moto
  ensure_user

  if objectstore_pid >/dev/null; then
    log "object store process $(objectstore_pid) exists, waiting for it"
  else
    as_root mkdir -p "$OBJECTSTORE_ROOT/run" "$OBJECTSTORE_ROOT/log"
    as_root chown "$OBJECTSTORE_USER:$OBJECTSTORE_USER" "$OBJECTSTORE_ROOT/run" "$OBJECTSTORE_ROOT/log"
    as_root rm -f "$OBJECTSTORE_PIDFILE"
    log "starting the object store (moto $MOTO_VERSION) on $OBJECTSTORE_URL ($OBJECTSTORE_ROOT)"
    # moto_server stays in the foreground: the shell writes its own pid, then becomes the
    # server (exec), so the pidfile names the server. setsid and the closed standard streams
    # detach it from this script, whose output a caller may be reading through a pipe.
    as_user "$OBJECTSTORE_USER" setsid sh -c 'echo $$ >"$1"; exec "$2" -H 127.0.0.1 -p "$3" >>"$4" 2>&1' \
      sh "$OBJECTSTORE_PIDFILE" "$OBJECTSTORE_VENV/bin/moto_server" "$OBJECTSTORE_PORT" \
      "$OBJECTSTORE_LOG" </dev/null >/dev/null 2>&1 &
  fi

  local waited=0
  until is_up; do
    if [ "$waited" -ge "$OBJECTSTORE_START_TIMEOUT" ]; then
      show_log; die "object store not answering after ${OBJECTSTORE_START_TIMEOUT} s"
    fi
    sleep 1; waited=$((waited + 1))
  done
  log "object store ready: $OBJECTSTORE_URL (pid $(objectstore_pid || echo '?'))"
}

stop() {
  local pid
  if ! pid=$(objectstore_pid); then
    log "object store not running (no live pid in $OBJECTSTORE_PIDFILE)"
    return 0
  fi
  log "stopping the object store (pid $pid)"
  as_root kill "$pid"
  local i
  for i in $(seq 1 30); do
    as_root kill -0 "$pid" 2>/dev/null || { log "object store stopped"; return 0; }
    sleep 1
  done
  log "object store still up after 30 s, killing"
  as_root kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "OBJECT_STORAGE_URL=$OBJECTSTORE_URL" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
