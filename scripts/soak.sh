#!/usr/bin/env bash
# The soak of issue 4: etcd, three Redis, three Sentinels and three agents on 127.0.0.1 under
# continuous random faults from the fault matrix (Redis killed, etcd paused or restarted, a lease
# revoked, a record deleted or garbled, a Sentinel killed, an agent SIGKILLed and restarted, a
# planned failover), each healed before the next. Then it settles, kills one replica for good and
# checks: every live Redis has exactly one correct record, the dead one has none, and no agent ever
# deleted a record it did not own (every DELETE in etcd accounted for). Prints the counts.
# Usage: scripts/soak.sh [minutes] [seed]   (default 3 minutes; the seed is printed, pass it to replay
# the same sequence of faults)
# Exit: 0, 1 on any violation, 2 if the soak itself could not run.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
MINUTES=${1:-3}
SEED=${2:-}
[[ $MINUTES =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "usage: $0 [minutes] [seed]"
[[ -z $SEED || $SEED =~ ^-?[0-9]+$ ]] || die "usage: $0 [minutes] [seed] (seed: a whole number)"

ensure_packages "${SANDBOX_NEEDS[@]}"

say "soak: $MINUTES minute(s) of faults"
run_test_main soak com.proposalsapp.registrar.it.Soak "$MINUTES" $SEED
