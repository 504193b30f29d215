#!/usr/bin/env bash
# nginx in front of the app servers, on this machine's loopback (the load test of issue 14):
# Debian's nginx, run as www-data with a configuration of its own rendered from
# ops/nginx.conf.template, its pid, logs, spool folders and a self-signed certificate for
# 127.0.0.1 under $PROXY_ROOT. The package's own service (port 80) is neither used nor started.
#   scripts/services/proxy.sh install   install nginx and openssl if needed
#   scripts/services/proxy.sh start     render the configuration, start (or reload), wait for the port
#   scripts/services/proxy.sh stop      stop this instance (only it)
#   scripts/services/proxy.sh env       print PROXY_URL and PROXY_CA (the certificate to trust)
# From the environment: PROXY_PORT (8443), PROXY_UPSTREAMS (the app servers, space-separated,
# default "127.0.0.1:8101 127.0.0.1:8102"), PROXY_ROOT (/opt/dvctt-kb/proxy).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/_lib.sh"
root=$(cd "$here/../.." && pwd)

PROXY_PORT=${PROXY_PORT:-8443}
PROXY_UPSTREAMS=${PROXY_UPSTREAMS:-127.0.0.1:8101 127.0.0.1:8102}
# A system path, like Redis's: the workers run as www-data, which could not enter a clone
# under /root (mode 700).
PROXY_ROOT=${PROXY_ROOT:-/opt/dvctt-kb/proxy}
PROXY_USER=www-data
PROXY_START_TIMEOUT=${PROXY_START_TIMEOUT:-20}
TEMPLATE="$root/ops/nginx.conf.template"
CONF="$PROXY_ROOT/nginx.conf"
PIDFILE="$PROXY_ROOT/run/nginx.pid"
CERT="$PROXY_ROOT/tls/cert.pem"
KEY="$PROXY_ROOT/tls/key.pem"

install() {
  command -v nginx >/dev/null || apt_install nginx
  command -v openssl >/dev/null || apt_install openssl
  id -u "$PROXY_USER" >/dev/null 2>&1 || die "user $PROXY_USER missing"
}

proxy_pid() {
  local pid
  pid=$(as_root cat "$PIDFILE" 2>/dev/null || true)
  [ -n "$pid" ] && [ "$(stat -c %U "/proc/$pid" 2>/dev/null)" = "$PROXY_USER" ] && echo "$pid"
}

certificate() {
  # For 127.0.0.1 and localhost only, kept between runs; the client trusts this file.
  as_root test -s "$CERT" && return 0
  log "self-signed certificate for 127.0.0.1 in $PROXY_ROOT/tls"
  as_root openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$KEY" -out "$CERT" >/dev/null 2>&1 || die "openssl could not make the certificate"
}

render() {
  # Each @NAME@ replaced, the `server @UPSTREAM@` line written once per app server.
  local upstream
  for upstream in $PROXY_UPSTREAMS; do
    [[ "$upstream" == 127.* || "$upstream" == localhost:* ]] || die "not a loopback address: $upstream"
  done
  awk -v upstreams="$PROXY_UPSTREAMS" -v listen="127.0.0.1:$PROXY_PORT" -v root="$PROXY_ROOT" \
      -v cert="$CERT" -v key="$KEY" '
    function fill(line) {
      gsub(/@LISTEN@/, listen, line); gsub(/@ROOT@/, root, line)
      gsub(/@CERT@/, cert, line); gsub(/@KEY@/, key, line)
      gsub(/@SERVER_NAME@/, "127.0.0.1 localhost", line)
      return line
    }
    /@UPSTREAM@/ {
      n = split(upstreams, list, " ")
      for (i = 1; i <= n; i++) { line = $0; sub(/@UPSTREAM@/, list[i], line); print fill(line) }
      next
    }
    { print fill($0) }
  ' "$TEMPLATE"
}

is_up() { timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT" 2>/dev/null; }

start() {
  install
  as_root mkdir -p "$PROXY_ROOT/run" "$PROXY_ROOT/log" "$PROXY_ROOT/tmp" "$PROXY_ROOT/cache" \
    "$PROXY_ROOT/tls"
  certificate
  render | as_root tee "$CONF.new" >/dev/null
  as_root chown -R "$PROXY_USER:$PROXY_USER" "$PROXY_ROOT"
  as_root chmod 600 "$KEY"
  if ! as_user "$PROXY_USER" nginx -t -q -p "$PROXY_ROOT" -e "$PROXY_ROOT/log/error.log" \
      -c "$CONF.new"; then
    die "nginx refused the configuration ($CONF.new)"
  fi
  as_root mv "$CONF.new" "$CONF"
  if proxy_pid >/dev/null; then
    log "proxy running (pid $(proxy_pid)): reloading $CONF"
    as_root kill -HUP "$(proxy_pid)"
  else
    log "starting nginx on https://127.0.0.1:$PROXY_PORT/ -> $PROXY_UPSTREAMS"
    as_user "$PROXY_USER" nginx -p "$PROXY_ROOT" -e "$PROXY_ROOT/log/error.log" -c "$CONF" \
      || { as_root tail -n 20 "$PROXY_ROOT/log/error.log" >&2 || true; die "nginx failed to start"; }
  fi
  local waited=0
  until is_up; do
    if [ "$waited" -ge "$PROXY_START_TIMEOUT" ]; then
      as_root tail -n 20 "$PROXY_ROOT/log/error.log" >&2 || true
      die "nginx not listening on 127.0.0.1:$PROXY_PORT after ${PROXY_START_TIMEOUT} s"
    fi
    sleep 1; waited=$((waited + 1))
  done
  log "proxy ready: https://127.0.0.1:$PROXY_PORT/"
}

stop() {
  local pid i
  if ! pid=$(proxy_pid); then
    log "proxy not running (no live pid in $PIDFILE)"
    return 0
  fi
  log "stopping nginx (pid $pid)"
  as_root kill -QUIT "$pid"  # graceful: requests under way finish
  for i in $(seq 1 30); do
    as_root kill -0 "$pid" 2>/dev/null || { log "proxy stopped"; return 0; }
    sleep 1
  done
  as_root kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) echo "PROXY_URL=https://127.0.0.1:$PROXY_PORT"; echo "PROXY_CA=$CERT" ;;
  *) echo "usage: $0 install|start|stop|env" >&2; exit 2 ;;
esac
