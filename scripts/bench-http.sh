#!/usr/bin/env bash
# Measures the agent's HTTP checks under load and the memory they add (issue 8), on a local sandbox:
#   latency - wrk holding RATE requests/s (a Lua delay per connection: Debian's wrk has no -R) on
#             /master and /health of the master's agent, /replica?lag=1048576 of a replica's, and
#             /metrics; p50/p90/p99/max as wrk reports them
#   rss     - resident memory of one agent after RSS_SECONDS of `run`: with --http off; with --http
#             polled as HAProxy and Prometheus would (/master and /health every second, /metrics
#             every 15 s); and with --http after the fixed-rate load above; median of RSS_RUNS each
# Usage: scripts/bench-http.sh [rate] [seconds]   (defaults 200 and 20; JVM flags: REGISTRAR_JAVA_OPTS,
#        default as scripts/redis-registrar). Targets: p99 <= 5 ms at 200 requests/s; <= 4 MiB RSS.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/sandbox.sh"
RATE=${1:-200}
DURATION=${2:-20}
RSS_SECONDS=${RSS_SECONDS:-40}
RSS_RUNS=${RSS_RUNS:-3}
CONNECTIONS=4
[[ $RATE =~ ^[0-9]+$ && $DURATION =~ ^[0-9]+$ && $RATE -ge 1 ]] \
  || die "usage: $0 [rate] [seconds] (whole numbers)"
export REGISTRAR_JAVA_OPTS=${REGISTRAR_JAVA_OPTS-$SIDECAR_JAVA_OPTS}
export REGISTRAR_LOG_LEVEL=WARN

ensure_packages "${SANDBOX_NEEDS[@]}"
ensure_jar
trap 'sandbox_stop' EXIT
sandbox_start

# wrk is closed-loop; each of CONNECTIONS connections waits this long before its next request,
# which holds the total near RATE while answers take far less than the delay.
LUA="$SANDBOX/rate.lua"
cat >"$LUA" <<LUA
function delay() return $((CONNECTIONS * 1000 / RATE)) end
function done(summary, latency, requests)
  io.write(string.format("RESULT rate=%.0f/s p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
LUA
load() { # URL: prints one RESULT line
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 2s -s "$LUA" "$1" | grep '^RESULT' | sed 's/^RESULT //'
}

agent_start 0
agent_start 1
wait_for 30 sh -c "curl -fs http://127.0.0.1:${HTTP_PORTS[0]}/master" || die "the master's agent did not pass /master"
wait_for 30 sh -c "curl -fs 'http://127.0.0.1:${HTTP_PORTS[1]}/replica?lag=1048576'" || die "the replica's agent did not pass /replica"
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for url in "http://127.0.0.1:${HTTP_PORTS[0]}/master" "http://127.0.0.1:${HTTP_PORTS[0]}/health" \
  "http://127.0.0.1:${HTTP_PORTS[1]}/replica?lag=1048576" "http://127.0.0.1:${HTTP_PORTS[0]}/metrics"; do
  echo "${url#http://127.0.0.1:} at $RATE/s for ${DURATION}s: $(load "$url")"
done
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

registered() { etcdctl_ get --prefix "/service/redis/$MASTER_NAME/instances/$1" --keys-only | grep -q .; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
rss_of() { # MODE (off|polled|loaded): RSS in KiB of agent 3 after RSS_SECONDS
  local mode=$1 t0=$SECONDS poller=
  if [ "$mode" = off ]; then AGENT_HTTP=off agent_start 2; else agent_start 2; fi
  wait_for 30 registered dc3 || die "agent 3 did not register"
  local base="http://127.0.0.1:${HTTP_PORTS[2]}"
  case $mode in
    polled)
      (n=0; while :; do curl -s "$base/master" "$base/health" >/dev/null
        [ $((n++ % 15)) -ne 0 ] || curl -s "$base/metrics" >/dev/null; sleep 1; done) &
      poller=$! ;;
    loaded) load "$base/metrics" >/dev/null; load "$base/master" >/dev/null ;;
  esac
  local left=$((RSS_SECONDS - (SECONDS - t0)))
  [ "$left" -le 0 ] || sleep "$left" # the measured quantity is memory after this much running time
  ps -o rss= -p "${AGENT_PIDS[2]}"
  [ -z "$poller" ] || kill "$poller"
  agent_stop 2
}
declare -A rss=([off]="" [polled]="" [loaded]="")
for run in $(seq "$RSS_RUNS"); do
  for mode in off polled loaded; do rss[$mode]+="$(rss_of "$mode") "; done
done
m() { printf '%s\n' ${rss[$1]} | median; }
echo "resident memory after ${RSS_SECONDS}s (KiB, median of $RSS_RUNS): --http off $(m off) (${rss[off]% }), polled $(m polled) (${rss[polled]% }), after the load $(m loaded) (${rss[loaded]% })"
awk -v p="$(m polled)" -v l="$(m loaded)" -v b="$(m off)" \
  'BEGIN {printf "--http adds %.1f MiB polled, %.1f MiB after %d s at the load rate\n", (p - b) / 1024, (l - b) / 1024, 2 * '"$DURATION"'}'
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
