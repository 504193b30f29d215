#!/usr/bin/env bash
# Elasticsearch for dev/test/CI, without Docker or a vendor download: the
# Apache-2.0 "integ-test-zip" distribution comes from Maven Central via mvn.
#   scripts/services/elasticsearch.sh start   install if needed, start, wait
#   scripts/services/elasticsearch.sh stop    stop the node
#   scripts/services/elasticsearch.sh env     print ELASTICSEARCH_URL
#
# The integ-test-zip is a minimal node. Its modules (checked on 8.19.7 with
# _nodes?filter_path=**.modules.name; _cat/plugins is empty):
#   apm, transport-netty4, x-pack-core, x-pack-security
# Checked to work: analyzers standard/simple/whitespace/keyword/stop, the
# standard tokenizer, token filters lowercase/stop/shingle, keyword
# normalizers with lowercase, text/keyword/completion fields.
# NOT available (they live in the absent analysis-common, mapper-extras,
# lang-painless, ingest-common modules): asciifolding, ngram/edge_ngram,
# stemmers, synonyms, language analyzers, any tokenizer but standard
# (whitespace, keyword, lowercase, ngram...), char filters (html_strip...),
# search_as_you_type, scripts, ingest processors.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

ES_VERSION=${ES_VERSION:-8.19.7}
# A system path, not the clone: ES refuses to run as root, and its
# unprivileged user could not enter a clone under /root (mode 700).
ES_ROOT=${ES_ROOT:-/opt/dvctt-kb/elasticsearch}
ES_PORT=${ES_PORT:-9200}
ES_USER=dvctt-es
ES_HOME="$ES_ROOT/elasticsearch-$ES_VERSION"
ES_PIDFILE="$ES_ROOT/run/elasticsearch.pid"
ES_START_TIMEOUT=${ES_START_TIMEOUT:-120}
ES_URL="http://127.0.0.1:$ES_PORT"
ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"

health() { curl -fsS -m 5 "$ES_URL/_cluster/health" 2>/dev/null; }
is_up() { health | grep -Eq '"status":"(green|yellow)"'; }

ensure_tools() {
  # default-jre-headless is Java 17 on Debian 12 (21 on 13); ES 8.19 runs on
  # both. openjdk-17-jre-headless would not exist on Debian 13.
  command -v java >/dev/null || apt_install default-jre-headless
  command -v mvn >/dev/null || apt_install maven
  command -v unzip >/dev/null || apt_install unzip
  command -v curl >/dev/null || apt_install curl
}

# JAVA_HOME of the system java (Debian's alternatives symlink chain).
java_home() { dirname "$(dirname "$(readlink -f "$(command -v java)")")"; }

ensure_user() {
  id -u "$ES_USER" >/dev/null 2>&1 && return 0
  log "creating system user $ES_USER"
  as_root useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
}

install_es() {
  if [ -x "$ES_HOME/bin/elasticsearch" ]; then
    return 0
  fi
  log "installing Elasticsearch $ES_VERSION (integ-test-zip) into $ES_HOME"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # dependency:copy works without a pom (checked with Maven 3.8.7, whose
  # default maven-dependency-plugin is 2.8).
  # Run as the invoking user so a developer's ~/.m2 cache is used.
  if ! (cd "$tmp" && mvn -B -Dstyle.color=never dependency:copy \
        -Dartifact="$ARTIFACT" -DoutputDirectory="$tmp/dl" >"$tmp/mvn.log" 2>&1); then
    tail -n 40 "$tmp/mvn.log" >&2; die "mvn could not fetch $ARTIFACT"
  fi
  local zip="$tmp/dl/elasticsearch-$ES_VERSION.zip"
  [ -s "$zip" ] || die "mvn did not produce $zip"
  # Unzip beside the final place, then rename: an interrupted run never
  # leaves a half-installed $ES_HOME that the skip check above would accept.
  as_root mkdir -p "$ES_ROOT"
  local stage="$ES_ROOT/.staging-$$"
  as_root rm -rf "$stage"
  as_root unzip -q "$zip" -d "$stage"
  as_root mv "$stage/elasticsearch-$ES_VERSION" "$ES_HOME"
  as_root rm -rf "$stage" "$tmp"
}

write_config() {
  # Every setting below was checked against this distribution: an unknown
  # setting makes ES refuse to start (e.g. ingest.geoip.downloader.enabled,
  # whose module is absent here). xpack.* settings are known (x-pack-core and
  # x-pack-security are present). Security off: plain http, no passwords.
  # Disk threshold off: on a disk over 85-95 % full ES would leave shards
  # unassigned or make indices read-only, failing tests for no real reason.
  as_root tee "$ES_HOME/config/elasticsearch.yml" >/dev/null <<YML
# written by scripts/services/elasticsearch.sh
cluster.name: dvctt-kb
node.name: dvctt-kb-1
network.host: 127.0.0.1
http.port: $ES_PORT
discovery.type: single-node
path.data: $ES_HOME/data
path.logs: $ES_HOME/logs
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
YML
  as_root mkdir -p "$ES_HOME/data" "$ES_HOME/logs" "$ES_ROOT/run"
  as_root chown -R "$ES_USER:$ES_USER" "$ES_ROOT"
}

start() {
  if is_up; then
    log "elasticsearch already running at $ES_URL"
    return 0
  fi
  ensure_tools
  ensure_user
  install_es
  write_config

  local jh; jh=$(java_home)
  if es_pid >/dev/null; then
    # Started earlier but not healthy yet (e.g. a parallel run): just wait.
    log "elasticsearch process $(es_pid) exists, waiting for it"
  else
    log "starting elasticsearch $ES_VERSION on $ES_URL (java: $jh)"
    as_root rm -f "$ES_PIDFILE"
    # -d daemonises; the CLI returns once the node started or failed. Its
    # console output (the whole startup log) goes to a file, shown on failure.
    local out; out=$(mktemp)
    if ! as_user "$ES_USER" env ES_JAVA_HOME="$jh" \
        ES_JAVA_OPTS="${ES_JAVA_OPTS:--Xms512m -Xmx512m}" \
        "$ES_HOME/bin/elasticsearch" -d -p "$ES_PIDFILE" >"$out" 2>&1; then
      tail -n 40 "$out" >&2; rm -f "$out"
      show_log; die "elasticsearch failed to start"
    fi
    rm -f "$out"
  fi

  local waited=0
  until is_up; do
    if [ "$waited" -ge "$ES_START_TIMEOUT" ]; then
      show_log; die "elasticsearch not healthy after ${ES_START_TIMEOUT} s"
    fi
    sleep 2; waited=$((waited + 2))
  done
  log "elasticsearch ready: $(health)"
}

show_log() {
  echo "[services] --- tail of $ES_HOME/logs/dvctt-kb.log ---" >&2
  as_root tail -n 60 "$ES_HOME/logs/dvctt-kb.log" >&2 2>/dev/null || true
}

# Pid of the running node, from the pidfile; fails when none is alive. The
# owner check guards against a stale pidfile whose pid was reused.
es_pid() {
  local pid
  pid=$(as_root cat "$ES_PIDFILE" 2>/dev/null || true)
  [ -n "$pid" ] && [ "$(stat -c %U "/proc/$pid" 2>/dev/null)" = "$ES_USER" ] && echo "$pid"
}

stop() {
  local pid
  if ! pid=$(es_pid); then
    log "elasticsearch not running (no live pid in $ES_PIDFILE)"
    return 0
  fi
  log "stopping elasticsearch (pid $pid)"
  as_root kill "$pid"
  local i
  for i in $(seq 1 60); do
    as_root kill -0 "$pid" 2>/dev/null || { log "elasticsearch stopped"; return 0; }
    sleep 1
  done
  log "elasticsearch still up after 60 s, killing"
  as_root kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  # The distribution and its user, for es-cluster.sh (which runs nodes of its own).
  install) ensure_tools; ensure_user; install_es; echo "$ES_HOME" ;;
  stop) stop ;;
  env) echo "ELASTICSEARCH_URL=$ES_URL" ;;
  *) echo "usage: $0 start|stop|env|install" >&2; exit 2 ;;
esac
