#!/usr/bin/env bash
# The routing benchmark of issues 13 and 14: what an application on node "dc2" sees through its
# routing tier while the master fails over or is switched over. etcd, three Redis as dc1-dc3, three Sentinels (down-after 1 s)
# and three agents on 127.0.0.1, plus HAProxy; one writer on one long-lived connection to the
# write listener (250 SET/s of a sequence number) and a pool of 12 readers on the read listener
# (200 GET/s), both reconnecting only when a connection breaks (Jedis, its default 2 s timeouts).
# PLANNED `SENTINEL FAILOVER`s then
# CRASH failovers (master SIGKILLed, then restarted), or SWITCHOVERS `redis-registrar switchover`s.
# Runs each MODE on a fresh sandbox:
#   tcp-check  HAProxy alone, tcp-check "info replication" expecting role:master,
#              inter 1s fall 1 rise 1, on-marked-down shutdown-sessions (what users pick without
#              a registry)
#   route      HAProxy on `redis-registrar route --print-haproxy-config`, kept in step by
#              `redis-registrar route --dc dc2` through its Runtime API
#   fence      as route, the agents with --fence (--fence-timeout 5s): planned and crash
#   switchover as fence, SWITCHOVERS `redis-registrar switchover`s instead of failovers
#   confd      HAProxy on nomad/confd's template rendered from the records (a stand-in renderer:
#              a failover renders the same file, so confd would not reload), httpchk on the agents'
#              /master and /read-only; not in the defaults; needs Go (golang-go)
# Prints per failover and per kind: write outage p50/p99/max, acknowledged writes missing from
# the final master (count and time), Sentinel's own window (+failover-state-send-slaveof-noone ->
# +promoted-slave), READONLY and other errors, share of reads served by dc2; both modes side by
# side with route's and their ratio, and the issue's targets for route; for fence and switchover
# the longest write pause and the lost writes beside plain route's, with min/p50/p95/p99/max, and
# issue 14's targets. The default run (10 + 5 each for route and fence, 20 switchovers) takes about
# 10 minutes on a quiet 2-core machine.
# Usage: scripts/bench-routing.sh [planned] [crash] [modes] [switchovers]
#        (defaults 10, 5, route,fence,switchover, 20)
# Exit: 0, 2 if the benchmark could not complete.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
PLANNED=${1:-10}
CRASH=${2:-5}
MODES=${3:-route,fence,switchover}
SWITCHOVERS=${4:-20}
USAGE="usage: $0 [planned] [crash] [modes] [switchovers]"
[[ $PLANNED =~ ^[0-9]+$ && $CRASH =~ ^[0-9]+$ && $SWITCHOVERS =~ ^[0-9]+$ ]] || die "$USAGE (whole numbers)"
M='(tcp-check|route|fence|switchover|confd)'
[[ $MODES =~ ^$M(,$M)*$ ]] \
  || die "$USAGE: modes is a comma-separated list of tcp-check, route, fence, switchover and confd, not '$MODES'"

ensure_packages "${SANDBOX_NEEDS[@]}"
[[ ,$MODES, != *,confd,* ]] || ensure_packages go:golang-go
cd "$ROOT" # the confd mode reads the template from the repository

say "routing benchmark: $PLANNED planned + $CRASH crash failovers, $SWITCHOVERS switchovers, modes $MODES"
run_test_main bench-routing com.proposalsapp.registrar.it.RoutingBench "$PLANNED" "$CRASH" "$MODES" "$SWITCHOVERS"
