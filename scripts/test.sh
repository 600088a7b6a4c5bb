#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the servers the integration tests
# start (redis-server, redis-sentinel, etcd) and Docker, starts the Docker daemon if it is not
# running, builds the image's Debian base (image/build-base.sh, once), then runs unit tests,
# integration tests, the image test (the image is built with Jib first: -Pimage) and the format check.
# Extra arguments go to Maven.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

ensure_packages "${TEST_NEEDS[@]}"
ensure_docker
"$ROOT/image/build-base.sh"
cd "$ROOT"
exec ./mvnw -B verify -Pimage "$@"
