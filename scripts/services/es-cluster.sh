#!/usr/bin/env bash
# A three-node Elasticsearch cluster on this one machine, for the tests of a lost node and
# the load test (issue 14): the distribution elasticsearch.sh installs, each node with its own
# ports (http 9210-9212, transport 9310-9312), configuration, data and pidfile under
# $ES_ROOT/cluster/node-N. The single node of elasticsearch.sh (9200) is left alone.
#   scripts/services/es-cluster.sh start          start the three nodes, wait for green
#   scripts/services/es-cluster.sh stop           stop them
#   scripts/services/es-cluster.sh kill-node N    kill node N at once (SIGKILL), as a crash
#   scripts/services/es-cluster.sh start-node N   start node N again, wait for it to join
#   scripts/services/es-cluster.sh env            print ELASTICSEARCH_CLUSTER_URL
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/_lib.sh"

ES_ROOT=${ES_ROOT:-/opt/dvctt-kb/elasticsearch}
ES_USER=dvctt-es
NODES=3
HTTP_BASE=${ES_CLUSTER_HTTP_PORT:-9210}
TRANSPORT_BASE=${ES_CLUSTER_TRANSPORT_PORT:-9310}
ES_START_TIMEOUT=${ES_START_TIMEOUT:-180}
CLUSTER="$ES_ROOT/cluster"

http_port() { echo $((HTTP_BASE + $1 - 1)); }
node_dir() { echo "$CLUSTER/node-$1"; }
pidfile() { echo "$(node_dir "$1")/elasticsearch.pid"; }
urls() {
  local n list=()
  for n in $(seq 1 $NODES); do list+=("http://127.0.0.1:$(http_port "$n")"); done
  (IFS=,; echo "${list[*]}")
}
health() { curl -fsS -m 5 "http://127.0.0.1:$(http_port "$1")/_cluster/health" 2>/dev/null; }

node_pid() {
  local pid
  pid=$(as_root cat "$(pidfile "$1")" 2>/dev/null || true)
  [ -n "$pid" ] && [ "$(stat -c %U "/proc/$pid" 2>/dev/null)" = "$ES_USER" ] && echo "$pid"
}

configure() {
  local n=$1 home=$2 dir seeds masters i
  dir=$(node_dir "$n")
  seeds=$(for i in $(seq 1 $NODES); do printf '"127.0.0.1:%s",' $((TRANSPORT_BASE + i - 1)); done)
  masters=$(for i in $(seq 1 $NODES); do printf '"dvctt-kb-c%s",' "$i"; done)
  as_root mkdir -p "$dir/config" "$dir/data" "$dir/logs"
  # The distribution's own jvm.options and log4j2 settings, then this node's file.
  as_root cp -r "$home/config/." "$dir/config/"
  as_root tee "$dir/config/elasticsearch.yml" >/dev/null <<YML
# written by scripts/services/es-cluster.sh
cluster.name: dvctt-kb-cluster
node.name: dvctt-kb-c$n
network.host: 127.0.0.1
http.port: $(http_port "$n")
transport.port: $((TRANSPORT_BASE + n - 1))
discovery.seed_hosts: [${seeds%,}]
cluster.initial_master_nodes: [${masters%,}]
path.data: $dir/data
path.logs: $dir/logs
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
YML
  as_root chown -R "$ES_USER:$ES_USER" "$CLUSTER"
}

start_node() {
  local n=$1 home jh out
  home=$("$here/elasticsearch.sh" install | tail -n 1)
  if node_pid "$n" >/dev/null; then
    log "cluster node $n already running (pid $(node_pid "$n"))"
    return 0
  fi
  configure "$n" "$home"
  jh=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  out=$(mktemp)
  log "starting cluster node $n on http://127.0.0.1:$(http_port "$n")"
  if ! as_user "$ES_USER" env ES_JAVA_HOME="$jh" ES_PATH_CONF="$(node_dir "$n")/config" \
      ES_JAVA_OPTS="${ES_CLUSTER_JAVA_OPTS:--Xms384m -Xmx384m}" \
      "$home/bin/elasticsearch" -d -p "$(pidfile "$n")" >"$out" 2>&1; then
    tail -n 40 "$out" >&2; rm -f "$out"
    as_root tail -n 40 "$(node_dir "$n")/logs/dvctt-kb-cluster.log" >&2 2>/dev/null || true
    die "cluster node $n failed to start"
  fi
  rm -f "$out"
}

wait_for() {
  # Until node $1 answers and the cluster counts $2 nodes, not red.
  local n=$1 want=$2 waited=0 answer
  until answer=$(health "$n") && echo "$answer" | grep -q "\"number_of_nodes\":$want," \
      && ! echo "$answer" | grep -q '"status":"red"'; do
    if [ "$waited" -ge "$ES_START_TIMEOUT" ]; then
      as_root tail -n 40 "$(node_dir "$n")/logs/dvctt-kb-cluster.log" >&2 2>/dev/null || true
      die "the cluster has not $want nodes after ${ES_START_TIMEOUT} s: ${answer:-no answer}"
    fi
    sleep 2; waited=$((waited + 2))
  done
  log "cluster: $answer"
}

running() {
  local n count=0
  for n in $(seq 1 $NODES); do node_pid "$n" >/dev/null && count=$((count + 1)); done
  echo "$count"
}

stop_node() {
  local n=$1 pid signal=${2:-TERM} i
  pid=$(node_pid "$n") || { log "cluster node $n not running"; return 0; }
  log "stopping cluster node $n (pid $pid, SIG$signal)"
  as_root kill -s "$signal" "$pid"
  for i in $(seq 1 60); do
    as_root kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  as_root kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start)
    for n in $(seq 1 $NODES); do start_node "$n"; done
    wait_for 1 $NODES
    ;;
  stop) for n in $(seq 1 $NODES); do stop_node "$n"; done ;;
  kill-node) stop_node "${2:?node number}" KILL ;;
  start-node)
    start_node "${2:?node number}"
    wait_for "$2" "$(running)"
    ;;
  env) echo "ELASTICSEARCH_CLUSTER_URL=$(urls)" ;;
  *) echo "usage: $0 start|stop|kill-node N|start-node N|env" >&2; exit 2 ;;
esac
