#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the servers the integration tests
# start (redis-server, redis-sentinel, etcd) and Docker, starts the Docker daemon if it is not
# running, builds the images' Debian bases (image/build-base.sh, once: Debian 12 for the Java 17
# images, Debian 13 for the Java 25 ones), builds the Java 25 images, then runs unit tests,
# integration tests, the image test (the Java 17 images are built with Jib first: -Pimage; it runs
# the Java 25 ones too: -Pimage-java25) and the format check.
# Extra arguments go to Maven.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

ensure_packages "${TEST_NEEDS[@]}"
ensure_docker
"$ROOT/image/build-base.sh"
SUITE=trixie "$ROOT/image/build-base.sh"
cd "$ROOT"
# The Java 25 images first (Debian 13, AOT cache trained against a sandbox): ImageIT runs them too.
./mvnw -B -q -pl agent verify -Pimage -Dimage.java=25 -DskipTests -Dspotless.check.skip=true
exec ./mvnw -B verify -Pimage,image-java25 "$@"
