#!/usr/bin/env bash
# The failover benchmark of issue 3: etcd, three Redis, three Sentinels (down-after 1 s) and three
# agents on 127.0.0.1; PLANNED `SENTINEL FAILOVER`s then CRASH failovers (master SIGKILLed, then
# restarted), measured by an independent +switch-master subscriber on every Sentinel and an etcd
# watch that rebuilds every revision. Runs it all twice: with Sentinel events, then poll only
# (--no-sentinel-events). Prints p50/p95/p99/max per kind and the ratio of the medians.
# Usage: scripts/bench-failover.sh [planned] [crash]   (defaults 20 and 10)
# Exit: 0, 1 if etcd ever showed two masters, 2 if the benchmark could not complete.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
PLANNED=${1:-20}
CRASH=${2:-10}
[[ $PLANNED =~ ^[0-9]+$ && $CRASH =~ ^[0-9]+$ ]] || die "usage: $0 [planned] [crash] (whole numbers)"

ensure_packages "${SANDBOX_NEEDS[@]}"

say "failover benchmark: $PLANNED planned + $CRASH crash failovers, twice"
run_test_main bench com.proposalsapp.registrar.it.FailoverBench "$PLANNED" "$CRASH"
