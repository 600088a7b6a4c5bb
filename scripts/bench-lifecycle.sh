#!/usr/bin/env bash
# Measures the agent's lifecycle on a local sandbox, as an independent observer (an etcd watch):
#   start   - from launching the JVM until etcd shows the record
#   stop    - from SIGTERM until etcd shows the record deleted
#   rss     - resident memory of each of three agents after RSS_SECONDS of `run`
# Usage: scripts/bench-lifecycle.sh [runs]   (JVM flags: REGISTRAR_JAVA_OPTS, default as scripts/redis-registrar)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/sandbox.sh"
RUNS=${1:-7}
RSS_SECONDS=${RSS_SECONDS:-60}
export REGISTRAR_JAVA_OPTS=${REGISTRAR_JAVA_OPTS-$SIDECAR_JAVA_OPTS}
export REGISTRAR_LOG_LEVEL=WARN

ensure_packages "${SANDBOX_NEEDS[@]}"
ensure_jar
trap 'kill "$(cat "$SANDBOX/watch.pid" 2>/dev/null)" 2>/dev/null || true; sandbox_stop' EXIT
sandbox_start

# Every watch event with the nanosecond time it was seen.
EVENTS="$SANDBOX/events"
(etcdctl_ watch --prefix "/service/redis/$MASTER_NAME/instances/" & echo $! >"$SANDBOX/watch.pid"; wait) \
  | while IFS= read -r line; do printf '%s %s\n' "$(date +%s%N)" "$line"; done >"$EVENTS" &
wait_for 10 test -e "$EVENTS"

now() { date +%s%N; }
events_of() { grep -c "$1" "$EVENTS" || true; }
stats() { # prints median, min and max of the numbers on stdin
  sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "median %s ms (min %s, max %s, n=%d)\n", m, a[1], a[NR], NR}'
}

starts=() stops=()
for run in $(seq "$RUNS"); do
  puts=$(events_of '^[0-9]* PUT')
  t0=$(now); agent_start 0
  wait_for 30 sh -c "[ \$(grep -c '^[0-9]* PUT' $EVENTS) -gt $puts ]" || die "run $run: no record published"
  t1=$(grep '^[0-9]* PUT' "$EVENTS" | sed -n "$((puts + 1))p" | cut -d' ' -f1)
  starts+=($(( (t1 - t0) / 1000000 )))
  dels=$(events_of '^[0-9]* DELETE')
  t0=$(now); kill -TERM "${AGENT_PIDS[0]}"
  wait_for 10 sh -c "[ \$(grep -c '^[0-9]* DELETE' $EVENTS) -gt $dels ]" || die "run $run: record not deleted"
  t1=$(grep '^[0-9]* DELETE' "$EVENTS" | sed -n "$((dels + 1))p" | cut -d' ' -f1)
  stops+=($(( (t1 - t0) / 1000000 )))
  wait "${AGENT_PIDS[0]}" || die "run $run: agent exited with $?"
  unset "AGENT_PIDS[0]"
done
echo "start -> record published: $(printf '%s\n' "${starts[@]}" | stats)"
echo "SIGTERM -> record deleted: $(printf '%s\n' "${stops[@]}" | stats)"

for i in 0 1 2; do agent_start "$i"; done
sleep "$RSS_SECONDS" # the measured quantity is memory after this much running time
rss=()
for i in 0 1 2; do rss+=($(( $(ps -o rss= -p "${AGENT_PIDS[$i]}") / 1024 ))); done
echo "resident memory after ${RSS_SECONDS}s of run (MiB): $(printf '%s\n' "${rss[@]}" | stats | sed 's/ ms//; s/ms//')"
echo "threads: $(ls /proc/"${AGENT_PIDS[0]}"/task | wc -l)"
