#!/usr/bin/env bash
# The main job on a fresh Debian machine: a local Redis + Sentinel + etcd sandbox with an agent
# beside each Redis, a failover, and an agent stopped. Leaves nothing running.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/sandbox.sh"

ensure_packages "${SANDBOX_NEEDS[@]}"
ensure_jar
trap sandbox_stop EXIT
export REGISTRAR_LOG_LEVEL=${REGISTRAR_LOG_LEVEL:-WARN}
registrar() { java -jar "$JAR" "$@" --etcd "$ETCD" --master-name "$MASTER_NAME"; }

say "starting etcd, three Redis (dc1 master, dc2 and dc3 replicas) and three Sentinels on 127.0.0.1"
sandbox_start
say "starting one redis-registrar agent beside each Redis"
for i in 0 1 2; do agent_start "$i"; done
wait_for 30 sh -c "[ \$(ETCDCTL_API=3 etcdctl --endpoints=$ETCD get --prefix /service/redis/ --keys-only | grep -c instances) -eq 3 ]" \
  || die "the agents did not publish three records; see $SANDBOX/agent-*.log"
say "status: the three records as etcd holds them"
registrar status

old=$(current_master)
say "forcing a Sentinel failover away from $old"
sentinel_cli sentinel failover "$MASTER_NAME" >/dev/null
wait_for 30 sh -c "[ \"\$(redis-cli -p ${SENTINEL_PORTS[0]} sentinel get-master-addr-by-name $MASTER_NAME | paste -sd: -)\" != $old ]" \
  || die "Sentinel did not fail over"
new=$(current_master)
wait_for 30 sh -c "[ \$(ETCDCTL_API=3 etcdctl --endpoints=$ETCD get --prefix /service/redis/ --print-value-only | grep -c '\"role\":\"master\"') -eq 1 ] && ETCDCTL_API=3 etcdctl --endpoints=$ETCD get --prefix /service/redis/ --print-value-only | grep -q '\"host\":\"${new%:*}\",\"port\":${new#*:},\"role\":\"master\"'" \
  || die "etcd did not follow the failover to $new"
wait_for 60 sh -c "[ \$(ETCDCTL_API=3 etcdctl --endpoints=$ETCD get --prefix /service/redis/ --print-value-only | grep -c '\"role\":\"replica\"') -eq 2 ]" \
  || die "the replicas did not settle behind $new"
say "status after the failover: $new is master, $old follows it"
registrar status
say "the master key routers use for writes: $(etcdctl_ get --print-value-only "/service/redis/$MASTER_NAME/master")"

say "stopping the dc3 agent with SIGTERM; its record must disappear"
agent_stop 2
dc3_key=$(printf '/service/redis/%s/instances/dc3-127.0.0.1-%s' "$MASTER_NAME" "${REDIS_PORTS[2]}")
[ -z "$(etcdctl_ get "$dc3_key")" ] || die "the dc3 record is still in etcd"
say "etcdctl get $dc3_key: (nothing)"
registrar status

say "stopping the sandbox"
