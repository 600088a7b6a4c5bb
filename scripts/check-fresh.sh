#!/usr/bin/env bash
# Proves the README's two commands on a fresh Debian 12: runs them, as root, in a container made from
# a bare `debootstrap --variant=minbase bookworm` root (no JDK, Redis, etcd, Docker or Maven cache),
# on a fresh clone of this repository's HEAD, with a stray `docker` client first on the PATH and no
# Docker daemon: the machine of issue 12, where a `docker` command alone made the scripts skip
# installing docker.io.
#
#   scripts/check-fresh.sh            # demo, then the whole test suite (about 20 minutes)
#   scripts/check-fresh.sh demo       # only `bash scripts/demo.sh`
#   scripts/check-fresh.sh test       # only `bash scripts/test.sh`
#
# Needs Docker on this machine (it installs and starts it like scripts/test.sh). The container shares
# this machine's network (the servers the scripts start listen on loopback ports they pick or check).
# Machines of this kind refuse privileged containers, so no Docker daemon can run inside one: for the
# test suite the container is given this machine's Docker socket, and the suite's image build and
# image test use this machine's daemon; installing docker.io (decided from `dockerd`, not from the
# stray client) still happens inside. The clone is mounted at the same path inside as here, so
# that the paths the tests bind into their containers mean the same to this machine's daemon. The certificate authorities this machine added locally
# (/usr/local/share/ca-certificates, e.g. a network's TLS proxy) are given to the container as a
# fresh machine of the same network would have them; Debian's ca-certificates, installed with the
# JDK, picks them up. Logs: the directory printed first.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

WHAT=${1:-both}
case $WHAT in demo | test | both) ;; *) die "usage: scripts/check-fresh.sh [demo|test|both]" ;; esac

ensure_packages dockerd:docker.io debootstrap:debootstrap
ensure_docker
"$ROOT/image/build-base.sh" --rootfs-only
ROOTFS_IMAGE=${ROOTFS_IMAGE:-redis-registrar-debian:bookworm}

WORK=$(mktemp -d /tmp/redis-registrar-fresh.XXXXXX)
say "check-fresh: logs and scratch under $WORK"
git clone -q "$ROOT" "$WORK/repo"
mkdir -p "$WORK/bin"
# A docker client with no daemon behind it, as on the machine of issue 12. Once docker.io is
# installed it hands over to Debian's client, so a run that installs the daemon can use it.
cat >"$WORK/bin/docker" <<'STRAY'
#!/bin/sh
[ -x /usr/bin/docker ] && exec /usr/bin/docker "$@"
[ "${1:-}" = --version ] && { echo "Docker version 28.2.2, build e6534b4"; exit 0; }
echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
exit 1
STRAY
chmod +x "$WORK/bin/docker"

steps=()
[ "$WHAT" = test ] || steps+=("bash scripts/demo.sh")
[ "$WHAT" = demo ] || steps+=("bash scripts/test.sh")
status=0
for step in "${steps[@]}"; do
  log="$WORK/$(echo "$step" | tr -c 'a-z\n' '-' | sed 's/-*$//').log"
  say "check-fresh: $step (log: $log)"
  start=$SECONDS
  socket=()
  [ "$step" = "bash scripts/demo.sh" ] || socket=(-v /var/run/docker.sock:/var/run/docker.sock)
  docker run --rm --network host "${socket[@]}" \
    -v "$WORK/repo:$WORK/repo" -v "$WORK/bin/docker:/usr/local/bin/docker:ro" \
    -v /usr/local/share/ca-certificates:/usr/local/share/ca-certificates:ro \
    -e CI=true -w "$WORK/repo" "$ROOTFS_IMAGE" bash -c "$step" >"$log" 2>&1 </dev/null && rc=0 || rc=$?
  say "check-fresh: $step exited $rc after $((SECONDS - start)) s; last lines:"
  tail -n 15 "$log"
  [ "$rc" -eq 0 ] || status=1
done
# Keep the servers' and agents' logs of the integration tests; drop the rest of the clone.
[ -d "$WORK/repo/agent/target/it" ] && mv "$WORK/repo/agent/target/it" "$WORK/it-logs"
rm -rf --one-file-system "$WORK/repo" 2>/dev/null || true
[ "$status" -eq 0 ] && say "check-fresh: every step passed on a fresh Debian 12 root" \
  || die "check-fresh: a step failed; see $WORK"
