#!/usr/bin/env bash
# Trains an AppCDS archive inside each image Jib built and adds it to the image, under the same name
# (image/cds.Dockerfile): a docker build on top of the Jib image, no registry needed.
#
#   image/train-cds.sh [IMAGE...]   # default: redis-registrar:0.1.0 redis-registrar-sidecar:0.1.0
#
# The training runs the agent as scripts/lib/common.sh's CDS_TRAINING_ARGS say: `run` in an image
# whose default command is run, `exec ... -- sleep` in the entrypoint image. Run it after every
# jib:dockerBuild (the -Pimage profile does).
# The training's JVM flags are read from the image's entrypoint (Jib writes no flags file).
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../scripts/lib/common.sh"
HERE=$(dirname "$(readlink -f "$0")")
VERSION=${VERSION:-0.1.0}
images=("$@")
[ ${#images[@]} -gt 0 ] || images=("redis-registrar:$VERSION" "redis-registrar-sidecar:$VERSION")
for image in "${images[@]}"; do
  user=$(docker image inspect -f '{{.Config.User}}' "$image")
  cmd=$(docker image inspect -f '{{index .Config.Cmd 0}}' "$image")
  # The entrypoint (java FLAGS... -jar JAR): its flags, less the archive they name, and its jar.
  entrypoint=$(docker image inspect -f '{{range .Config.Entrypoint}}{{println .}}{{end}}' "$image")
  flags=$(sed -n '2,/^-jar$/p' <<<"$entrypoint" | grep -v -e '^-jar$' -e '^-XX:SharedArchiveFile=' | paste -sd' ')
  jar=$(sed -n '/^-jar$/{n;p;q}' <<<"$entrypoint")
  [ -n "$jar" ] || die "$image: its entrypoint runs no -jar: $(paste -sd' ' <<<"$entrypoint")"
  args=$CDS_TRAINING_ARGS
  [ "$cmd" = exec ] && args="exec ${CDS_TRAINING_ARGS#run } -- sleep 60"
  say "training the CDS archive of $image ($args)"
  docker build --network none -f "$HERE/cds.Dockerfile" --build-arg "IMAGE=$image" --build-arg "JVM_FLAGS=$flags" --build-arg "JAR=$jar" \
    --build-arg "TRAINING_ARGS=$args" --build-arg "RUN_USER=$user" -t "$image" "$HERE" >"${TMPDIR:-/tmp}/redis-registrar-train-cds.log" 2>&1 \
    || { tail -n 40 "${TMPDIR:-/tmp}/redis-registrar-train-cds.log" >&2; die "training $image failed"; }
done
