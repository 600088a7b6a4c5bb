# A local Redis topology on 127.0.0.1 for the demo and the benchmarks: one etcd, three Redis
# (one per "datacenter", dc1 the first master), three Sentinels and an agent beside each Redis.
# Everything runs under $SANDBOX and is stopped by sandbox_stop.
# shellcheck shell=bash

MASTER_NAME=${MASTER_NAME:-proposalsapp-redis}
ETCD_PORT=${ETCD_PORT:-23790}
REDIS_PORTS=(${REDIS_PORTS:-26401 26402 26403})
SENTINEL_PORTS=(${SENTINEL_PORTS:-26501 26502 26503})
HTTP_PORTS=(${HTTP_PORTS:-26601 26602 26603}) # each agent's --http checks
DOWN_AFTER_MS=${DOWN_AFTER_MS:-2000}
ETCD="http://127.0.0.1:$ETCD_PORT"
declare -A AGENT_PIDS=()
SANDBOX_PIDS=()

etcdctl_() { ETCDCTL_API=3 etcdctl --endpoints="$ETCD" "$@"; }
sentinel_cli() { redis-cli -p "${SENTINEL_PORTS[0]}" "$@"; }
sentinels_csv() { local IFS=,; echo "${SENTINEL_PORTS[*]/#/127.0.0.1:}"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

sandbox_start() {
  SANDBOX=$(mktemp -d /tmp/redis-registrar-sandbox.XXXXXX)
  local p
  for p in "$ETCD_PORT" $((ETCD_PORT + 10)) "${REDIS_PORTS[@]}" "${SENTINEL_PORTS[@]}" "${HTTP_PORTS[@]}"; do
    port_free "$p" || die "port $p on 127.0.0.1 is in use; set ETCD_PORT, REDIS_PORTS, SENTINEL_PORTS or HTTP_PORTS"
  done
  etcd --name sandbox --data-dir "$SANDBOX/etcd" \
    --listen-client-urls "$ETCD" --advertise-client-urls "$ETCD" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 10))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 10))" \
    --initial-cluster "sandbox=http://127.0.0.1:$((ETCD_PORT + 10))" >"$SANDBOX/etcd.log" 2>&1 &
  SANDBOX_PIDS+=($!)
  local i
  for i in 0 1 2; do
    p=${REDIS_PORTS[$i]}
    mkdir -p "$SANDBOX/redis-$p"
    {
      echo "port $p"; echo "bind 127.0.0.1"; echo "dir $SANDBOX/redis-$p"; echo 'save ""'
      echo "logfile $SANDBOX/redis-$p.log"; echo "protected-mode no"
      [ "$i" -eq 0 ] || echo "replicaof 127.0.0.1 ${REDIS_PORTS[0]}"
    } >"$SANDBOX/redis-$p.conf"
    redis-server "$SANDBOX/redis-$p.conf" &
    SANDBOX_PIDS+=($!)
  done
  for p in "${SENTINEL_PORTS[@]}"; do
    cat >"$SANDBOX/sentinel-$p.conf" <<CONF
port $p
bind 127.0.0.1
dir $SANDBOX
logfile $SANDBOX/sentinel-$p.log
sentinel monitor $MASTER_NAME 127.0.0.1 ${REDIS_PORTS[0]} 2
sentinel down-after-milliseconds $MASTER_NAME $DOWN_AFTER_MS
sentinel failover-timeout $MASTER_NAME 10000
CONF
    redis-sentinel "$SANDBOX/sentinel-$p.conf" &
    SANDBOX_PIDS+=($!)
  done
  wait_for 20 etcdctl_ endpoint health || die "etcd did not start: see $SANDBOX/etcd.log"
  for p in "${REDIS_PORTS[@]}" "${SENTINEL_PORTS[@]}"; do
    wait_for 10 redis-cli -p "$p" ping || die "server on port $p did not start: see $SANDBOX"
  done
  for p in "${REDIS_PORTS[@]:1}"; do
    wait_for 20 sh -c "redis-cli -p $p info replication | grep -q master_link_status:up" \
      || die "replica $p did not sync"
  done
  for p in "${SENTINEL_PORTS[@]}"; do
    wait_for 20 sh -c "redis-cli -p $p sentinel replicas $MASTER_NAME | grep -c '^name$' | grep -q 2" \
      || die "Sentinel $p did not discover the replicas"
    wait_for 20 sh -c "redis-cli -p $p sentinel sentinels $MASTER_NAME | grep -c '^name$' | grep -q 2" \
      || die "Sentinel $p did not discover the other Sentinels"
  done
}

# Starts the agent of Redis number $1 (0..2) in datacenter dc$(( $1 + 1 )), with extra flags after it;
# its HTTP checks on 127.0.0.1:${HTTP_PORTS[$1]}, or as AGENT_HTTP says (off, for example).
agent_start() {
  local i=$1; shift
  local p=${REDIS_PORTS[$i]}
  # shellcheck disable=SC2086 # word splitting of the flags is intended
  java ${REGISTRAR_JAVA_OPTS-$SIDECAR_JAVA_OPTS} -jar "$JAR" run --dc "dc$((i + 1))" --redis "127.0.0.1:$p" \
    --sentinels "$(sentinels_csv)" --etcd "$ETCD" --master-name "$MASTER_NAME" \
    --http "${AGENT_HTTP:-127.0.0.1:${HTTP_PORTS[$i]}}" "$@" \
    >>"$SANDBOX/agent-dc$((i + 1)).log" 2>&1 &
  AGENT_PIDS[$i]=$!
}

agent_stop() {
  local pid=${AGENT_PIDS[$1]:-}
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "AGENT_PIDS[$1]"
}

# The address all Sentinels agree on.
current_master() {
  sentinel_cli sentinel get-master-addr-by-name "$MASTER_NAME" | paste -sd: -
}

# How many records in etcd say role master for address $1.
records_naming_master() {
  etcdctl_ get --prefix "/service/redis/$MASTER_NAME/instances/" --print-value-only \
    | grep -c "\"host\":\"${1%:*}\",\"port\":${1#*:},\"role\":\"master\"" || true
}

sandbox_stop() {
  local i pid
  for i in "${!AGENT_PIDS[@]}"; do kill -KILL "${AGENT_PIDS[$i]}" 2>/dev/null || true; done
  for pid in "${SANDBOX_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
