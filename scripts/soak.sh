#!/usr/bin/env bash
# The soak of issue 4: etcd, three Redis, three Sentinels and three agents on 127.0.0.1 under
# continuous random faults from the fault matrix (Redis killed, etcd paused or restarted, a lease
# revoked, a record deleted or garbled, a Sentinel killed, an agent SIGKILLed and restarted, a
# planned failover), each healed before the next. Then it settles, kills one replica for good and
# checks: every live Redis has exactly one correct record, the dead one has none, and no agent ever
# deleted a record it did not own (every DELETE in etcd accounted for). Prints the counts.
# Usage: scripts/soak.sh [minutes] [seed]   (default 3 minutes; the seed is printed, pass it to replay
# the same sequence of faults)
# Exit: 0, 1 on any violation, 2 if the soak itself could not run.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
MINUTES=${1:-3}
SEED=${2:-}
[[ $MINUTES =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "usage: $0 [minutes] [seed]"
[[ -z $SEED || $SEED =~ ^-?[0-9]+$ ]] || die "usage: $0 [minutes] [seed] (seed: a whole number)"

ensure_packages redis-server:redis-server redis-sentinel:redis-sentinel redis-cli:redis-tools \
  etcd:etcd-server etcdctl:etcd-client java:openjdk-17-jdk-headless

TARGET="$ROOT/agent/target"
SOAK_CLASS="$TARGET/test-classes/com/proposalsapp/registrar/it/Soak.class"
# Build the jar and the test classes unless both are newer than every source and POM.
if [ ! -f "$JAR" ] || [ ! -f "$SOAK_CLASS" ] \
  || [ -n "$(find "$ROOT/pom.xml" "$ROOT/agent/pom.xml" "$ROOT/agent/src" -newer "$JAR" -print -quit)" ] \
  || [ -n "$(find "$ROOT/agent/src/test" -newer "$SOAK_CLASS" -print -quit)" ]; then
  say "building $JAR and the test classes"
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests) >&2
fi
CLASSPATH_FILE="$TARGET/soak-classpath.txt"
if [ ! -f "$CLASSPATH_FILE" ] || [ -n "$(find "$ROOT/pom.xml" "$ROOT/agent/pom.xml" -newer "$CLASSPATH_FILE" -print -quit)" ]; then
  (cd "$ROOT" && ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$CLASSPATH_FILE" \
    -Dmdep.includeScope=test -f agent/pom.xml) >&2
fi

# The run uses its own copy of the jar and classes, outside target/, so that a rebuild or a
# `mvn clean` meanwhile cannot change or remove them; the servers' and agents' logs stay there too.
SOAK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/redis-registrar-soak.XXXXXX")
cp "$JAR" "$SOAK_DIR/redis-registrar.jar"
cp -r "$TARGET/classes" "$SOAK_DIR/classes"
cp -r "$TARGET/test-classes" "$SOAK_DIR/test-classes"
cp "$CLASSPATH_FILE" "$SOAK_DIR/classpath.txt"
say "soak: $MINUTES minute(s) of faults; logs under $SOAK_DIR"
exec java -cp "$SOAK_DIR/test-classes:$SOAK_DIR/classes:$(cat "$SOAK_DIR/classpath.txt")" \
  -Dregistrar.jar="$SOAK_DIR/redis-registrar.jar" -Dregistrar.it.dir="$SOAK_DIR" \
  com.proposalsapp.registrar.it.Soak "$MINUTES" $SEED
