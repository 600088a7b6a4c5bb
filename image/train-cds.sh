#!/usr/bin/env bash
# Trains the class archive inside each image Jib built and adds it to the image, under the same name
# (image/cds.Dockerfile): a docker build on top of the Jib image, no registry needed.
#
#   image/train-cds.sh [IMAGE...]   # default: redis-registrar:0.1.0 redis-registrar-sidecar:0.1.0
#
# What the entrypoint names decides the kind: -XX:SharedArchiveFile (Java 17) gets an AppCDS archive,
# -XX:AOTCache (Java 25, -Dimage.java=25) an AOT cache. Both are trained on a run that publishes, against
# a sandbox of etcd, Redis and Sentinels this script starts on the host (scripts/lib/sandbox.sh, on
# ports of its own; docker build --network host), so that they hold the classes of the path to the
# first record (gRPC's channel, Netty's transport), which a run against ports where nothing listens
# never loads. The agent runs `run` in an image whose default command is run, `exec ... -- sleep` in
# the entrypoint image. Run it after every jib:dockerBuild (the -Pimage profile does).
# The training's JVM flags are read from the image's entrypoint (Jib writes no flags file).
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../scripts/lib/common.sh"
HERE=$(dirname "$(readlink -f "$0")")
VERSION=${VERSION:-0.1.0}
images=("$@")
[ ${#images[@]} -gt 0 ] || images=("redis-registrar:$VERSION" "redis-registrar-sidecar:$VERSION")
LOG=${TMPDIR:-/tmp}/redis-registrar-train-cds.log

# The sandbox the archives are trained against (on ports of its own: TRAIN_ETCD_PORT,
# TRAIN_REDIS_PORTS and TRAIN_SENTINEL_PORTS change them), stopped on exit.
ETCD_PORT=${TRAIN_ETCD_PORT:-23890}
REDIS_PORTS=${TRAIN_REDIS_PORTS:-26411 26412 26413}
SENTINEL_PORTS=${TRAIN_SENTINEL_PORTS:-26511 26512 26513}
HTTP_PORTS="26611 26612 26613"
source "$HERE/../scripts/lib/sandbox.sh"
sandbox_up=0
train_sandbox() {
  [ "$sandbox_up" = 1 ] && return 0
  ensure_packages "${SERVER_NEEDS[@]}"
  trap 'sandbox_stop; rm -rf "$SANDBOX"' EXIT
  say "starting a sandbox to train the archives against (etcd $ETCD)"
  sandbox_start
  sandbox_up=1
}

for image in "${images[@]}"; do
  user=$(docker image inspect -f '{{.Config.User}}' "$image")
  cmd=$(docker image inspect -f '{{index .Config.Cmd 0}}' "$image")
  # The entrypoint (java FLAGS... -jar JAR): its flags, less the archive they name, and its jar.
  entrypoint=$(docker image inspect -f '{{range .Config.Entrypoint}}{{println .}}{{end}}' "$image")
  flags=$(sed -n '2,/^-jar$/p' <<<"$entrypoint" \
    | grep -v -e '^-jar$' -e '^-XX:SharedArchiveFile=' -e '^-XX:AOTCache=' | paste -sd' ')
  jar=$(sed -n '/^-jar$/{n;p;q}' <<<"$entrypoint")
  [ -n "$jar" ] || die "$image: its entrypoint runs no -jar: $(paste -sd' ' <<<"$entrypoint")"
  if grep -q '^-XX:AOTCache=' <<<"$entrypoint"; then
    archive=$(sed -n 's/^-XX:AOTCache=//p' <<<"$entrypoint")
    kind=(--build-arg "TRAIN_FLAG=-XX:AOTCacheOutput=$archive" --build-arg "CHECK_FLAGS=-XX:AOTCache=$archive -XX:AOTMode=on")
    what="AOT cache"
  else
    archive=$(sed -n 's/^-XX:SharedArchiveFile=//p' <<<"$entrypoint")
    [ -n "$archive" ] || die "$image: its entrypoint names no archive (-XX:SharedArchiveFile or -XX:AOTCache)"
    kind=(--build-arg "TRAIN_FLAG=-XX:ArchiveClassesAtExit=$archive" --build-arg "CHECK_FLAGS=-XX:SharedArchiveFile=$archive -Xshare:on")
    what="CDS archive"
  fi
  train_sandbox
  args="run --dc train --redis 127.0.0.1:${REDIS_PORTS[1]} --sentinels $(sentinels_csv) --etcd $ETCD --http 127.0.0.1:0"
  [ "$cmd" = exec ] && args="exec ${args#run } -- sleep 60"
  say "training the $what of $image ($args)"
  docker build --network host -f "$HERE/cds.Dockerfile" --build-arg "IMAGE=$image" \
    --build-arg "JVM_FLAGS=$flags" --build-arg "JAR=$jar" --build-arg "ARCHIVE=$archive" "${kind[@]}" \
    --build-arg "TRAINING_ARGS=$args" --build-arg "RUN_USER=$user" -t "$image" "$HERE" \
    >"$LOG" 2>&1 || { tail -n 40 "$LOG" >&2; die "training $image failed"; }
done
