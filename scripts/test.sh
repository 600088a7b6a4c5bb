#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the servers the integration tests
# start (redis-server, redis-sentinel, etcd), then unit tests, integration tests and the format check.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

ensure_packages redis-server:redis-server redis-sentinel:redis-sentinel redis-cli:redis-tools \
  etcd:etcd-server etcdctl:etcd-client java:openjdk-17-jdk-headless
cd "$ROOT"
exec ./mvnw -B verify "$@"
