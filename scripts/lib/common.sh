# Shared by the scripts: where things are, installing what is missing, building the jar.
# shellcheck shell=bash

ROOT=$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)
JAR="$ROOT/agent/target/redis-registrar.jar"

# The JVM flags the agent runs with as a sidecar (scripts/redis-registrar, the demo, the benchmarks,
# the soak; both images have the same ones in agent/pom.xml's Jib config, then CDS_IMAGE_OPTS:
# SidecarFlagsTest checks);
# REGISTRAR_JAVA_OPTS overrides. A small young generation and a fixed start heap, and glibc's free
# memory returned every 5 s, keep about 8 MiB off the resident set (scripts/bench-http.sh, RSS with
# --http off: 95.2 MiB before, 87.5 MiB with them).
# TrimNativeHeapInterval is a product flag from 17.0.9 (JDK-8293114 backport; 17.0.15 here).
SIDECAR_JAVA_OPTS="-XX:+UseSerialGC -Xms8m -Xmn4m -Xmx32m -XX:TrimNativeHeapInterval=5000 -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Dio.netty.allocator.type=unpooled"

# The agent command an AppCDS archive is trained with where no server is at hand (the launcher's
# --warm; the images' build trains against a sandbox, image/train-cds.sh): every adapter is built
# and tries its server at a port where nothing listens (port 1), so the classes of the start-up
# path, jetcd's stack included, are loaded.
CDS_TRAINING_ARGS="run --dc warm --redis 127.0.0.1:1 --sentinels 127.0.0.1:1 --etcd http://127.0.0.1:1 --http 127.0.0.1:0"

# How a JVM is told to use an AppCDS archive without a word when it does not match (the JVM falls
# back to no archive and would print a warning): the launcher adds the archive of its cache, the
# images the one image/train-cds.sh trains in them.
CDS_QUIET_OPTS="-Xlog:cds=off -Xlog:cds+dynamic=off"
CDS_IMAGE_OPTS="-XX:SharedArchiveFile=/app/cds.jsa $CDS_QUIET_OPTS"
# The same for the AOT cache of the Java 25 images (-Dimage.java=25), which image/train-cds.sh trains.
AOT_IMAGE_OPTS="-XX:AOTCache=/app/app.aot -Xlog:aot=off -Xlog:cds=off"

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# What the scripts run, each as CHECK:PACKAGE. CHECK is a command that must be on the PATH, or the
# name of a have_CHECK function below where a command's name alone proves nothing (a JDK, not just a
# java; a Docker daemon, not just a client called docker). The Maven wrapper unpacks Maven with unzip;
# the tests signal processes with kill and the benchmarks read ps, both procps (not in a minimal
# Debian). The README lists the same packages.
# The servers of a sandbox (scripts/lib/sandbox.sh), which image/train-cds.sh needs as well.
SERVER_NEEDS=(redis-server:redis-server redis-sentinel:redis-sentinel redis-cli:redis-tools
  etcd:etcd-server etcdctl:etcd-client)
SANDBOX_NEEDS=("${SERVER_NEEDS[@]}" haproxy:haproxy wrk:wrk curl:curl jdk17:openjdk-17-jdk-headless
  unzip:unzip kill:procps ps:procps)
TEST_NEEDS=("${SANDBOX_NEEDS[@]}" dockerd:docker.io debootstrap:debootstrap promtool:prometheus
  go:golang-go)

# A JDK of at least 17: the Maven build needs javac, and the Enforcer needs 17.
have_jdk17() {
  local v
  v=$(javac -version 2>&1) || return 1
  v=${v#javac }
  [ "${v%%.*}" -ge 17 ] 2>/dev/null
}

# Prints, one a line and once each, the packages whose CHECK (see SANDBOX_NEEDS) fails here. Bash
# only: it runs before anything is installed.
missing_packages() {
  local pair check
  local -A seen=()
  for pair in "$@"; do
    check=${pair%%:*}
    if declare -F "have_$check" >/dev/null; then
      "have_$check" && continue
    else
      command -v "$check" >/dev/null 2>&1 && continue
    fi
    [ -n "${seen[${pair#*:}]:-}" ] && continue
    seen[${pair#*:}]=1
    echo "${pair#*:}"
  done
}

# Installs the packages of the CHECK:PACKAGE pairs given whose check fails (needs root or sudo).
ensure_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null 2>&1 \
    || die "apt-get install ${missing[*]} failed"
  local still
  still=$(missing_packages "$@" | tr '\n' ' ')
  [ -z "$still" ] || die "installed ${missing[*]}, but still missing what $still provide: check the PATH"
}

# Starts the Docker daemon in the background unless one answers (there may be no systemd), then
# checks that the docker client on the PATH talks to it (a stray client may not).
ensure_docker() {
  if ! docker info >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "starting dockerd (log: /tmp/redis-registrar-dockerd.log)"
    $sudo setsid nohup dockerd >/tmp/redis-registrar-dockerd.log 2>&1 </dev/null &
    wait_for 60 docker info || die "dockerd did not come up, or $(command -v docker) cannot talk to it: see /tmp/redis-registrar-dockerd.log and 'docker version'"
  fi
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
    || die "$(command -v docker) cannot talk to the Docker daemon: 'docker version' says: $(docker version 2>&1 | tail -n 1)"
}

# Builds the agent jar unless it is already there.
ensure_jar() {
  [ -f "$JAR" ] && return 0
  say "building $JAR"
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests) >&2
}

# Waits up to $1 seconds for the command that follows to succeed.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# Runs a main class of the test tree (a benchmark or the soak) against real servers:
# run_test_main NAME CLASS ARGS...  Builds the jar and test classes if any source is newer, then
# runs from a copy under a fresh temporary directory, so that a rebuild or `mvn clean` meanwhile
# cannot change or remove them; the servers' and agents' logs stay there too.
run_test_main() {
  local name=$1 class=$2; shift 2
  local target="$ROOT/agent/target"
  local compiled="$target/test-classes/${class//.//}.class"
  if [ ! -f "$JAR" ] || [ ! -f "$compiled" ] \
    || [ -n "$(find "$ROOT/pom.xml" "$ROOT/agent/pom.xml" "$ROOT/agent/src" -newer "$JAR" -print -quit)" ] \
    || [ -n "$(find "$ROOT/agent/src/test" -newer "$compiled" -print -quit)" ]; then
    say "building $JAR and the test classes"
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests) >&2
  fi
  local classpath="$target/test-main-classpath.txt"
  if [ ! -f "$classpath" ] \
    || [ -n "$(find "$ROOT/pom.xml" "$ROOT/agent/pom.xml" -newer "$classpath" -print -quit)" ]; then
    (cd "$ROOT" && ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$classpath" \
      -Dmdep.includeScope=test -f agent/pom.xml) >&2
  fi
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/redis-registrar-$name.XXXXXX")
  cp "$JAR" "$dir/redis-registrar.jar"
  cp -r "$target/classes" "$dir/classes"
  cp -r "$target/test-classes" "$dir/test-classes"
  cp "$classpath" "$dir/classpath.txt"
  say "$name: logs under $dir"
  say "$name: agents run with: ${REGISTRAR_JAVA_OPTS-$SIDECAR_JAVA_OPTS}"
  exec java -cp "$dir/test-classes:$dir/classes:$(cat "$dir/classpath.txt")" \
    -Dregistrar.jar="$dir/redis-registrar.jar" -Dregistrar.it.dir="$dir" \
    -Dregistrar.java.opts="${REGISTRAR_JAVA_OPTS-$SIDECAR_JAVA_OPTS}" "$class" "$@"
}
