#!/usr/bin/env bash
# Where the agent's memory goes: runs one agent (`run`, the sidecar flags, or REGISTRAR_JAVA_OPTS) on
# a local sandbox (scripts/lib/sandbox.sh) with Native Memory Tracking, and after FOOTPRINT_SECONDS
# (default 60) prints its resident memory, `jcmd VM.native_memory summary`, its threads by name
# and the classes loaded. NMT itself costs a few MiB of malloc (the "Native Memory Tracking"
# category); subtract it for the agent as deployed.
# Usage: scripts/footprint.sh   (EXTRA_JAVA_OPTS adds flags after the sidecar ones)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/sandbox.sh"
SECONDS_=${FOOTPRINT_SECONDS:-60}
OPTS=${REGISTRAR_JAVA_OPTS-$SIDECAR_JAVA_OPTS}
ensure_packages "${SANDBOX_NEEDS[@]}"
ensure_jar
PID=
cleanup() { [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; sandbox_stop; }
trap cleanup EXIT
sandbox_start
# shellcheck disable=SC2086
REGISTRAR_LOG_LEVEL=WARN java $OPTS ${EXTRA_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary -jar "$JAR" \
  run --dc dc1 --redis "127.0.0.1:${REDIS_PORTS[0]}" --sentinels "$(sentinels_csv)" --etcd "$ETCD" \
  --master-name "$MASTER_NAME" --http 127.0.0.1:0 >"$SANDBOX/agent.log" 2>&1 &
PID=$!
sleep "$SECONDS_"
echo "JVM flags: $OPTS ${EXTRA_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary"
echo "RSS after ${SECONDS_}s: $(awk '/^VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$PID/status")" \
  "($(awk '/^RssAnon/ {printf "anon %.1f", $2 / 1024} /^RssFile/ {printf ", file %.1f", $2 / 1024}' \
  "/proc/$PID/status") MiB)"
jcmd "$PID" VM.native_memory summary scale=KB | sed -n '/^Total/,$p'
echo "threads ($(ls "/proc/$PID/task" | wc -l)):"
cat /proc/"$PID"/task/*/comm | sed 's/[0-9]\+$/N/' | sort | uniq -c | sort -rn
jcmd "$PID" VM.metaspace 2>/dev/null | grep -E '^Total Usage' || true
jcmd "$PID" GC.heap_info | sed 1d
