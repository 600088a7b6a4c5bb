#!/usr/bin/env bash
# The failover benchmark of issue 3: etcd, three Redis, three Sentinels (down-after 1 s) and three
# agents on 127.0.0.1; PLANNED `SENTINEL FAILOVER`s then CRASH failovers (master SIGKILLed, then
# restarted), measured by an independent +switch-master subscriber on every Sentinel and an etcd
# watch that rebuilds every revision. Runs it all twice: with Sentinel events, then poll only
# (--no-sentinel-events). Prints p50/p95/p99/max per kind and the ratio of the medians.
# Usage: scripts/bench-failover.sh [planned] [crash]   (defaults 20 and 10)
# Exit: 0, 1 if etcd ever showed two masters, 2 if the benchmark could not complete.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
PLANNED=${1:-20}
CRASH=${2:-10}
[[ $PLANNED =~ ^[0-9]+$ && $CRASH =~ ^[0-9]+$ ]] || die "usage: $0 [planned] [crash] (whole numbers)"

ensure_packages redis-server:redis-server redis-sentinel:redis-sentinel redis-cli:redis-tools \
  etcd:etcd-server etcdctl:etcd-client java:openjdk-17-jdk-headless

TARGET="$ROOT/agent/target"
BENCH_CLASS="$TARGET/test-classes/com/proposalsapp/registrar/it/FailoverBench.class"
# Build the jar and the test classes unless both are newer than every source and POM.
if [ ! -f "$JAR" ] || [ ! -f "$BENCH_CLASS" ] \
  || [ -n "$(find "$ROOT/pom.xml" "$ROOT/agent/pom.xml" "$ROOT/agent/src" -newer "$JAR" -print -quit)" ] \
  || [ -n "$(find "$ROOT/agent/src/test" -newer "$BENCH_CLASS" -print -quit)" ]; then
  say "building $JAR and the test classes"
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests) >&2
fi
CLASSPATH_FILE="$TARGET/bench-classpath.txt"
if [ ! -f "$CLASSPATH_FILE" ] || [ -n "$(find "$ROOT/pom.xml" "$ROOT/agent/pom.xml" -newer "$CLASSPATH_FILE" -print -quit)" ]; then
  (cd "$ROOT" && ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$CLASSPATH_FILE" \
    -Dmdep.includeScope=test -f agent/pom.xml) >&2
fi

# The run uses its own copy of the jar and classes, outside target/, so that a rebuild or a
# `mvn clean` meanwhile cannot change or remove them; the servers' and agents' logs stay there too.
BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/redis-registrar-bench.XXXXXX")
cp "$JAR" "$BENCH_DIR/redis-registrar.jar"
cp -r "$TARGET/classes" "$BENCH_DIR/classes"
cp -r "$TARGET/test-classes" "$BENCH_DIR/test-classes"
cp "$CLASSPATH_FILE" "$BENCH_DIR/classpath.txt"
say "failover benchmark: $PLANNED planned + $CRASH crash failovers, twice; logs under $BENCH_DIR"
exec java -cp "$BENCH_DIR/test-classes:$BENCH_DIR/classes:$(cat "$BENCH_DIR/classpath.txt")" \
  -Dregistrar.jar="$BENCH_DIR/redis-registrar.jar" -Dregistrar.it.dir="$BENCH_DIR" \
  com.proposalsapp.registrar.it.FailoverBench "$PLANNED" "$CRASH"
