#!/usr/bin/env bash
# Deploys Redis (three datacenters) and the app-node routing tier with Nomad, as the seed's
# ./deploy.sh does: checks the environment, writes the Consul KV defaults where a key is absent
# (never overwriting a set password), then validates, plans and runs each job.
#
#   NOMAD_ADDR=... NOMAD_TOKEN=... CONSUL_HTTP_TOKEN=... REDIS_INITIAL_MASTER=10.0.1.5 \
#   ETCD_ENDPOINTS=http://10.0.0.10:2379 scripts/deploy.sh [options] [-- nomad job run options]
#
#   --dry-run      print every command instead of running it (tokens and passwords never)
#   --entrypoint   deploy the entrypoint form (nomad/redis-entrypoint.nomad.hcl) instead of the
#                  sidecar form (nomad/redis.nomad.hcl)
#   --only JOB     redis or haproxy: deploy that job alone
#
# After "--", options go to every nomad job validate/plan/run, e.g. -var registrar_image=... .
# REDIS_INITIAL_MASTER (the node address of the Redis that starts as master, the first time) is
# passed as -var initial_master; ETCD_ENDPOINTS as -var etcd_endpoints (both jobs).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

DRY_RUN=0
FORM=sidecar
ONLY=""
EXTRA=()

usage() { echo "usage: $0 [--dry-run] [--entrypoint] [--only redis|haproxy] [-- nomad options]" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    --entrypoint) FORM=entrypoint ;;
    --only)
      [[ $# -ge 2 && ( $2 == redis || $2 == haproxy ) ]] || { echo "deploy: invalid value '${2:-}' for --only: use redis or haproxy" >&2; exit 2; }
      ONLY=$2; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "deploy: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

# The seed's checks: nothing happens unless all three are set (nomad and consul read them from
# the environment; they are never printed or passed as arguments).
missing=()
for var in NOMAD_ADDR NOMAD_TOKEN CONSUL_HTTP_TOKEN; do
  [[ -n ${!var:-} ]] || missing+=("$var")
done
deploy_redis=1 deploy_haproxy=1
[[ $ONLY == haproxy ]] && deploy_redis=0
[[ $ONLY == redis ]] && deploy_haproxy=0
if [[ $deploy_redis == 1 && -z ${REDIS_INITIAL_MASTER:-} ]]; then
  missing+=("REDIS_INITIAL_MASTER")
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "deploy: ${missing[*]} not set (see docs/deploy.md)" >&2
  exit 2
fi

# Prints the command in --dry-run, runs it otherwise.
run() {
  if [[ $DRY_RUN == 1 ]]; then
    printf '%q ' "$@" | sed 's/ $//'
    echo
  else
    "$@"
  fi
}

# nomad job plan exits 0 (no change), 1 (allocations change) or 255 (error).
plan() {
  if [[ $DRY_RUN == 1 ]]; then
    run "$@"
    return 0
  fi
  local rc=0
  "$@" || rc=$?
  if [[ $rc -gt 1 ]]; then
    echo "deploy: '$*' failed (exit $rc)" >&2
    return 1
  fi
}

# JOBFILE VARS...: validate, plan, run.
deploy_job() {
  local file=$1
  shift
  echo "==> $(basename "$file")" >&2
  run nomad job validate "$@" "${EXTRA[@]}" "$file"
  plan nomad job plan "$@" "${EXTRA[@]}" "$file"
  run nomad job run "$@" "${EXTRA[@]}" "$file"
}

etcd_var=()
[[ -n ${ETCD_ENDPOINTS:-} ]] && etcd_var=(-var "etcd_endpoints=$ETCD_ENDPOINTS")

echo "==> Consul KV defaults (only where a key is absent)" >&2
if [[ $DRY_RUN == 1 ]]; then
  "$HERE/setup-consul-kv.sh" --dry-run
else
  "$HERE/setup-consul-kv.sh"
fi

if [[ $deploy_redis == 1 ]]; then
  redis_file="$ROOT/nomad/redis.nomad.hcl"
  [[ $FORM == entrypoint ]] && redis_file="$ROOT/nomad/redis-entrypoint.nomad.hcl"
  deploy_job "$redis_file" -var "initial_master=$REDIS_INITIAL_MASTER" "${etcd_var[@]}"
fi
if [[ $deploy_haproxy == 1 ]]; then
  deploy_job "$ROOT/nomad/haproxy.nomad.hcl" "${etcd_var[@]}"
fi
