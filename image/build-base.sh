#!/usr/bin/env bash
# Builds the base image Jib puts the agent on: Debian 12 (bookworm) with redis-server and a Java 17
# JRE, made from scratch (debootstrap + docker import), because no container registry is needed or
# assumed. Idempotent: does nothing if the image already exists (REBUILD=1 forces a rebuild).
#
#   image/build-base.sh                      # -> redis-registrar-base:bookworm
#   BASE_IMAGE=my/base:tag image/build-base.sh
#   DEBIAN_MIRROR=http://ftp.de.debian.org/debian image/build-base.sh
#   image/build-base.sh --rootfs-only        # -> redis-registrar-debian:bookworm, the bare debootstrap
#                                            #    root (scripts/check-fresh.sh runs the README in it)
#
# Needs root (debootstrap), docker with a running daemon, and debootstrap
# (apt-get install -y docker.io debootstrap).
set -euo pipefail

BASE_IMAGE=${BASE_IMAGE:-redis-registrar-base:bookworm}
ROOTFS_IMAGE=${ROOTFS_IMAGE:-redis-registrar-debian:bookworm}
SUITE=bookworm
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

ROOTFS_ONLY=0 TARGET=$BASE_IMAGE
[[ ${1:-} == --rootfs-only ]] && ROOTFS_ONLY=1 TARGET=$ROOTFS_IMAGE

if [[ ${REBUILD:-0} != 1 ]] && image_exists "$TARGET"; then
  log "$TARGET exists; nothing to do (REBUILD=1 to rebuild)"
  exit 0
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

log "docker build -> $BASE_IMAGE (redis-server, openjdk-17-jre-headless)"
# --network host: the build reaches the mirror the same way this host does.
docker build --network host --build-arg "ROOTFS_IMAGE=$ROOTFS_IMAGE" -t "$BASE_IMAGE" \
  -f "$HERE/base.Dockerfile" "$HERE"
docker image ls "$BASE_IMAGE"
