#!/usr/bin/env bash
# Builds the base images Jib puts the agent on, made from scratch (debootstrap + docker import),
# because no container registry is needed or assumed: Debian 12 (bookworm) with redis-server and a
# Java 17 JRE for the entrypoint image, and bookworm with the JRE alone and a non-root user for the
# registrar-only (sidecar) image. SUITE=trixie makes the same two on Debian 13 (trixie) with its
# Java 25 JRE and Redis 8.0, for the images built with -Dimage.java=25 (AOT cache, docs/design.md).
# Idempotent: does nothing for an image that exists (REBUILD=1 forces a rebuild).
#
#   image/build-base.sh                      # -> redis-registrar-base:bookworm, redis-registrar-jre:bookworm
#   SUITE=trixie image/build-base.sh         # -> redis-registrar-base:trixie, redis-registrar-jre:trixie
#   BASE_IMAGE=my/base:tag JRE_IMAGE=my/jre:tag image/build-base.sh
#   DEBIAN_MIRROR=http://ftp.de.debian.org/debian image/build-base.sh
#   image/build-base.sh --rootfs-only        # -> redis-registrar-debian:bookworm, the bare debootstrap
#                                            #    root (scripts/check-fresh.sh runs the README in it)
#
# Needs root (debootstrap), docker with a running daemon, and debootstrap
# (apt-get install -y docker.io debootstrap).
set -euo pipefail

SUITE=${SUITE:-bookworm}
case $SUITE in
  bookworm) JRE=openjdk-17-jre-headless ;;
  trixie) JRE=openjdk-25-jre-headless ;;
  *) echo "build-base: SUITE must be bookworm or trixie, not '$SUITE'" >&2; exit 2 ;;
esac
BASE_IMAGE=${BASE_IMAGE:-redis-registrar-base:$SUITE}
JRE_IMAGE=${JRE_IMAGE:-redis-registrar-jre:$SUITE}
ROOTFS_IMAGE=${ROOTFS_IMAGE:-redis-registrar-debian:$SUITE}
HERE=$(dirname "$(readlink -f "$0")")

log() { echo "build-base: $*" >&2; }

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror apt already uses here (deb822 .sources or one-line sources.list), else the default.
apt_mirror() {
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  if [[ -z $uri ]]; then
    uri=$(grep -hsE '^deb +(\[[^]]*\] +)?[a-z]+://[^ ]+/debian/? +bookworm( |$)' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
          | sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{print $1}' | head -n1 || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

ROOTFS_ONLY=0
[[ ${1:-} == --rootfs-only ]] && ROOTFS_ONLY=1

if [[ ${REBUILD:-0} != 1 ]]; then
  if [[ $ROOTFS_ONLY == 1 ]] && image_exists "$ROOTFS_IMAGE"; then
    log "$ROOTFS_IMAGE exists; nothing to do (REBUILD=1 to rebuild)"
    exit 0
  fi
  if [[ $ROOTFS_ONLY == 0 ]] && image_exists "$BASE_IMAGE" && image_exists "$JRE_IMAGE"; then
    log "$BASE_IMAGE and $JRE_IMAGE exist; nothing to do (REBUILD=1 to rebuild)"
    exit 0
  fi
fi

command -v docker >/dev/null || { log "docker is not installed (apt-get install -y docker.io)"; exit 1; }
docker info >/dev/null 2>&1 || { log "the docker daemon does not answer (start dockerd)"; exit 1; }

if [[ ${REBUILD:-0} == 1 ]] || ! image_exists "$ROOTFS_IMAGE"; then
  command -v debootstrap >/dev/null || { log "debootstrap is not installed (apt-get install -y debootstrap)"; exit 1; }
  MIRROR=${DEBIAN_MIRROR:-$(apt_mirror)}
  ROOTFS=$(mktemp -d /tmp/redis-registrar-rootfs.XXXXXX)
  trap 'rm -rf --one-file-system "$ROOTFS"' EXIT
  log "debootstrap --variant=minbase $SUITE from $MIRROR"
  debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 \
    || { tail -n 30 "$ROOTFS.log" >&2; exit 1; }
  rm -f "$ROOTFS.log"
  # Keep the image small: no apt lists, caches or docs from the bootstrap.
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb
  log "docker import -> $ROOTFS_IMAGE"
  tar -C "$ROOTFS" --numeric-owner -c . \
    | docker import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$ROOTFS_IMAGE" >/dev/null
fi

[[ $ROOTFS_ONLY == 1 ]] && exit 0

# IMAGE DOCKERFILE WHAT: builds IMAGE unless it exists (or REBUILD=1).
build() {
  if [[ ${REBUILD:-0} != 1 ]] && image_exists "$1"; then
    log "$1 exists"
    return 0
  fi
  log "docker build -> $1 ($3)"
  # --network host: the build reaches the mirror the same way this host does.
  docker build --network host --build-arg "ROOTFS_IMAGE=$ROOTFS_IMAGE" --build-arg "JRE=$JRE" \
    -t "$1" -f "$HERE/$2" "$HERE"
}

build "$BASE_IMAGE" base.Dockerfile "redis-server, $JRE"
build "$JRE_IMAGE" jre.Dockerfile "$JRE, user registrar"
docker image ls --filter "reference=$BASE_IMAGE" --filter "reference=$JRE_IMAGE"
