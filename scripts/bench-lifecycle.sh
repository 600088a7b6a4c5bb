#!/usr/bin/env bash
# Measures what one agent costs, beside its floors, on a local sandbox (scripts/lib/sandbox.sh), as an
# independent observer (an etcd watch). Subjects, started in turn within each round (interleaved, so
# that the other work on the machine falls on all of them alike):
#   launcher  the agent as scripts/redis-registrar starts it (sidecar flags + its AppCDS archive,
#             made by --warm before the first round)
#   jar       the agent as `java $SIDECAR_JAVA_OPTS -jar`: the same flags, no archive
#   image     the agent in the sidecar image (docker run --network host), if docker and the image are
#             there; its start includes the container's own start
#   image25   the same in the Java 25 sidecar image with its AOT cache (-Dimage.java=25, image/README.md)
#   hello     a JVM hello world with the sidecar flags (the floor for any JVM agent)
#   etcdctl   `etcdctl lease grant` + `put --lease` (the non-JVM floor); kept alive by
#             `etcdctl lease keep-alive` for the memory figures
# The launcher's first start (no archive yet) is measured apart. For each: start -> record visible in etcd (hello: -> main running), SIGTERM -> record deleted,
# and, all subjects running side by side for RSS_SECONDS: resident memory, threads, and idle CPU
# (CPU time over the second half of that window); then the ratios to the etcdctl floor.
#
# Usage: scripts/bench-lifecycle.sh [runs]
#   RUNS (or the argument, default 7) start/stop rounds; RSS_RUNS (default 1) memory rounds of
#   RSS_SECONDS (default 60) each; SUBJECTS (default: all of the above) to choose;
#   REGISTRAR_JAVA_OPTS as for scripts/redis-registrar; the subject "custom" (not in the default
#   list) runs the jar (or CUSTOM_JAR: another build) with CUSTOM_JAVA_OPTS (and CUSTOM_JAVA, say
#   `env MALLOC_ARENA_MAX=2 java`), for experiments; SIDECAR_IMAGE (default
#   redis-registrar-sidecar:0.1.0) and SIDECAR_IMAGE_25 (default redis-registrar-sidecar:0.1.0-java25).
#   A quick run: RUNS=3 RSS_SECONDS=10 scripts/bench-lifecycle.sh
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/sandbox.sh"
RUNS=${RUNS:-${1:-7}}
RSS_RUNS=${RSS_RUNS:-1}
RSS_SECONDS=${RSS_SECONDS:-60}
SIDECAR_IMAGE=${SIDECAR_IMAGE:-redis-registrar-sidecar:0.1.0}
SIDECAR_IMAGE_25=${SIDECAR_IMAGE_25:-redis-registrar-sidecar:0.1.0-java25}
declare -A IMAGE_OF=([image]=$SIDECAR_IMAGE [image25]=$SIDECAR_IMAGE_25)
SUBJECTS=(${SUBJECTS:-launcher jar image image25 hello etcdctl})
export REGISTRAR_JAVA_OPTS=${REGISTRAR_JAVA_OPTS-$SIDECAR_JAVA_OPTS}
export REGISTRAR_LOG_LEVEL=WARN

ensure_packages "${SANDBOX_NEEDS[@]}"
ensure_jar
for s in image image25; do
  if [[ " ${SUBJECTS[*]} " == *" $s "* ]] \
    && ! { docker info >/dev/null 2>&1 && docker image inspect "${IMAGE_OF[$s]}" >/dev/null 2>&1; }; then
    say "$s: skipped (no Docker daemon, or no ${IMAGE_OF[$s]}: see image/README.md)"
    SUBJECTS=($(printf '%s\n' "${SUBJECTS[@]}" | grep -vx "$s"))
  fi
done
CONTAINERS=()
declare -A RUNNING=() # the processes this script started and has not stopped yet
cleanup() {
  kill "$(cat "$SANDBOX/watch.pid" 2>/dev/null)" 2>/dev/null || true
  local c
  for c in "${!RUNNING[@]}"; do kill -KILL "$c" 2>/dev/null || true; done
  for c in "${CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  sandbox_stop
}
trap cleanup EXIT
sandbox_start
export REGISTRAR_CDS_DIR="$SANDBOX/cds"
LAUNCHER="$ROOT/scripts/redis-registrar"

# Every watch event with the nanosecond time it was seen.
EVENTS="$SANDBOX/events"
PREFIX="/service/redis/$MASTER_NAME/instances/"
(ETCDCTL_API=3 etcdctl --endpoints="$ETCD" watch --prefix "$PREFIX" & echo $! >"$SANDBOX/watch.pid"; wait) \
  | while IFS= read -r line; do printf '%s %s\n' "$(date +%s%N)" "$line"; done >"$EVENTS" &
wait_for 10 test -e "$EVENTS"

now() { date +%s%N; }
count() { grep -c "^[0-9]* $1\$" "$EVENTS" || true; }
# The time the (n+1)-th event $1 was seen, once there is one: event_after WHAT N
event_after() {
  wait_for 30 sh -c "[ \$(grep -c '^[0-9]* $1\$' $EVENTS) -gt $2 ]" || return 1
  grep "^[0-9]* $1\$" "$EVENTS" | sed -n "$(($2 + 1))p" | cut -d' ' -f1
}

HELLO="$SANDBOX/hello"
mkdir -p "$HELLO"
cat >"$HELLO/Hello.java" <<'JAVA'
public class Hello {
  public static void main(String[] args) throws Exception {
    java.time.Instant t = java.time.Instant.now();
    System.out.println("hello " + (t.getEpochSecond() * 1_000_000_000L + t.getNano()));
    Thread.sleep(Long.MAX_VALUE);
  }
}
JAVA
javac -d "$HELLO" "$HELLO/Hello.java"

# agent_args I: the command line of agent number I, in dc I+1, beside Redis number I mod 3, with its
# HTTP checks on a port of its own; as sandbox.sh's agent_start otherwise.
agent_args() {
  local i=$1
  echo "run --dc dc$((i + 1)) --redis 127.0.0.1:${REDIS_PORTS[$((i % 3))]} --sentinels $(sentinels_csv)" \
    "--etcd $ETCD --master-name $MASTER_NAME --http 127.0.0.1:0"
}

# start_SUBJECT I N: starts the subject for Redis number I (round N); sets PID (the process whose
# memory is measured). stop_SUBJECT: stops it, SIGTERM first; it must exit 0 (or 143 for hello).
start_launcher() {
  # shellcheck disable=SC2046
  "$LAUNCHER" $(agent_args "$1") >>"$SANDBOX/launcher.log" 2>&1 &
  PID=$!
}
start_jar() {
  # shellcheck disable=SC2046,SC2086
  java $REGISTRAR_JAVA_OPTS -jar "$JAR" $(agent_args "$1") >>"$SANDBOX/jar.log" 2>&1 &
  PID=$!
}
start_custom() { # an experiment: CUSTOM_JAR (default the jar) with CUSTOM_JAVA_OPTS (CUSTOM_JAVA, default java)
  # shellcheck disable=SC2046,SC2086
  ${CUSTOM_JAVA:-java} $CUSTOM_JAVA_OPTS -jar "${CUSTOM_JAR:-$JAR}" $(agent_args "$1") >>"$SANDBOX/custom.log" 2>&1 &
  PID=$!
}
start_image() { start_container "$SIDECAR_IMAGE" "$@"; }
start_image25() { start_container "$SIDECAR_IMAGE_25" "$@"; }
start_container() { # IMAGE N RUN
  local name="redis-registrar-bench-$$-$3-${RANDOM}"
  CONTAINERS+=("$name")
  # shellcheck disable=SC2046
  docker run -d --name "$name" --network host -e REGISTRAR_LOG_LEVEL=WARN "$1" \
    $(agent_args "$2") >/dev/null
  PID=$(docker inspect -f '{{.State.Pid}}' "$name")
  IMAGE_NAME=$name
}
start_hello() {
  # shellcheck disable=SC2086
  java $REGISTRAR_JAVA_OPTS -cp "$HELLO" Hello >"$HELLO/out.$2" 2>&1 &
  PID=$!
}
start_etcdctl() {
  local lease
  lease=$(etcdctl_ lease grant 30 | awk '{print $2}')
  etcdctl_ put --lease="$lease" "${PREFIX}floor-$1" '{"floor":true}' >/dev/null
  ETCDCTL_API=3 etcdctl --endpoints="$ETCD" lease keep-alive "$lease" >/dev/null 2>&1 &
  PID=$!
  LEASE=$lease
}
stop_agent() { kill -TERM "$PID"; wait "$PID"; }
stop_launcher() { stop_agent; }
stop_jar() { stop_agent; }
stop_custom() { stop_agent; }
stop_image25() { stop_image; }
stop_image() {
  docker stop -t 10 "$IMAGE_NAME" >/dev/null
  [ "$(docker inspect -f '{{.State.ExitCode}}' "$IMAGE_NAME")" = 0 ] || return 1
  docker rm "$IMAGE_NAME" >/dev/null
}
stop_hello() { kill -TERM "$PID"; wait "$PID" || [ $? = 143 ]; }
stop_etcdctl() { etcdctl_ lease revoke "$LEASE" >/dev/null; kill -TERM "$PID"; wait "$PID" || true; }

declare -A START STOP RSS THREADS CPU
stats() { # median, min and max of the numbers on stdin: "median min max n"
  { grep . || true; } | sort -n | awk '{a[NR]=$1} END {if (NR == 0) {print "- - - 0"; exit}
    m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%s %s %s %d\n", m, a[1], a[NR], NR}'
}
# cpu_ticks PID: user + system time of the process and its threads, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The launcher's first start finds no archive: it runs as the training, its JVM writing the
# archive when it exits; the next start installs it. Measured apart from the rounds.
if [[ " ${SUBJECTS[*]} " == *" launcher "* ]]; then
  puts=$(count PUT)
  t0=$(now); start_launcher 0 first; RUNNING[$PID]=1
  t1=$(event_after PUT "$puts") || die "launcher, first start: no record published"
  t2=$(now); stop_launcher || die "launcher, first start: did not exit 0"; unset "RUNNING[$PID]"
  say "launcher, first start (no archive yet; writes it on exit): start -> visible $(( (t1 - t0) / 1000000 )) ms, SIGTERM -> exited $(( ($(now) - t2) / 1000000 )) ms"
fi

for run in $(seq "$RUNS"); do
  for s in "${SUBJECTS[@]}"; do
    if [ "$s" = hello ]; then
      t0=$(now); start_hello 0 "$run"
      RUNNING[$PID]=1
      wait_for 30 grep -q '^hello' "$HELLO/out.$run" || die "hello did not start"
      t1=$(awk '/^hello/ {print $2}' "$HELLO/out.$run")
      START[$s]+="$(( (t1 - t0) / 1000000 )) "
      stop_hello
      unset "RUNNING[$PID]"
      continue
    fi
    puts=$(count PUT)
    t0=$(now); "start_$s" 0 "$run"
    RUNNING[$PID]=1
    t1=$(event_after PUT "$puts") || die "$s, run $run: no record published"
    START[$s]+="$(( (t1 - t0) / 1000000 )) "
    dels=$(count DELETE)
    t0=$(now)
    if [ "$s" = etcdctl ]; then
      "stop_$s" || die "$s, run $run: did not stop"
      t1=$(event_after DELETE "$dels") || die "$s, run $run: key not deleted"
    else
      [[ $s == image* ]] && docker kill -s TERM "$IMAGE_NAME" >/dev/null || kill -TERM "$PID"
      t1=$(event_after DELETE "$dels") || die "$s, run $run: record not deleted"
      if [[ $s == image* ]]; then stop_image; else wait "$PID"; fi \
        || die "$s, run $run: did not exit 0"
    fi
    unset "RUNNING[$PID]"
    STOP[$s]+="$(( (t1 - t0) / 1000000 )) "
  done
done

# Memory: every subject at once, each JVM agent beside its own Redis, for RSS_SECONDS.
for run in $(seq "$RSS_RUNS"); do
  declare -A PIDS=() TICKS=() RSS_IMAGES=()
  i=0
  for s in "${SUBJECTS[@]}"; do
    "start_$s" "$i" "rss$run"
    PIDS[$s]=$PID
    RUNNING[$PID]=1
    [ "$s" = etcdctl ] && ETCDCTL_LEASE=$LEASE
    [[ $s == image* ]] && RSS_IMAGES[$s]=$IMAGE_NAME
    case $s in hello | etcdctl) ;; *) i=$((i + 1)) ;; esac
  done
  sleep $((RSS_SECONDS / 2)) # the measured quantities are memory and CPU after this much running
  for s in "${SUBJECTS[@]}"; do TICKS[$s]=$(cpu_ticks "${PIDS[$s]}"); done
  t0=$(now)
  sleep $((RSS_SECONDS - RSS_SECONDS / 2))
  elapsed=$(( ($(now) - t0) / 1000000 ))
  hz=$(getconf CLK_TCK)
  for s in "${SUBJECTS[@]}"; do
    p=${PIDS[$s]}
    RSS[$s]+="$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$p/status") "
    THREADS[$s]+="$(ls "/proc/$p/task" | wc -l) "
    CPU[$s]+="$(awk -v a="${TICKS[$s]}" -v b="$(cpu_ticks "$p")" -v hz="$hz" -v ms="$elapsed" \
      'BEGIN {printf "%.2f", (b - a) * 100000 / hz / ms}') "
  done
  for s in "${SUBJECTS[@]}"; do
    PID=${PIDS[$s]}
    [ "$s" = etcdctl ] && LEASE=$ETCDCTL_LEASE
    [[ $s == image* ]] && IMAGE_NAME=${RSS_IMAGES[$s]}
    "stop_$s" || say "$s: did not stop cleanly after the memory round"
    unset "RUNNING[$PID]"
  done
done

fmt() { # "median min max n" -> "median (min-max)"
  awk '{if ($4 == 0) print "-"; else if ($2 == $3) print $1; else printf "%s (%s-%s)\n", $1, $2, $3}'
}
median() { awk '{print $1}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.1fx", a / b}'; }
floor_start=$(printf '%s\n' ${START[etcdctl]:-} | stats | median)
floor_rss=$(printf '%s\n' ${RSS[etcdctl]:-} | stats | median)
echo
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $RUNS start rounds, $RSS_RUNS memory round(s) of ${RSS_SECONDS}s"
echo "JVM flags: $REGISTRAR_JAVA_OPTS"
echo "$(java -version 2>&1 | sed -n 2p)"
printf '%-9s | %-19s | %-17s | %-16s | %-8s | %-9s | %-11s | %-9s\n' subject "start->visible ms" \
  "SIGTERM->gone ms" "RSS MiB" threads "idle CPU%" "start/floor" "RSS/floor"
printf '%s\n' "----------|---------------------|-------------------|------------------|----------|-----------|-------------|----------"
for s in "${SUBJECTS[@]}"; do
  st=$(printf '%s\n' ${START[$s]:-} | stats)
  sp=$(printf '%s\n' ${STOP[$s]:-} | stats)
  rs=$(printf '%s\n' ${RSS[$s]:-} | stats)
  printf '%-9s | %-19s | %-17s | %-16s | %-8s | %-9s | %-11s | %-9s\n' "$s" "$(echo "$st" | fmt)" \
    "$(echo "$sp" | fmt)" "$(echo "$rs" | fmt)" "$(printf '%s\n' ${THREADS[$s]:-} | stats | fmt)" \
    "$(printf '%s\n' ${CPU[$s]:-} | stats | fmt)" "$(ratio "$(echo "$st" | median)" "$floor_start")" \
    "$(ratio "$(echo "$rs" | median)" "$floor_rss")"
done
echo "(start: median (min-max) of $RUNS; hello: to main running, not to a record; image, image25: include the container's start)"
