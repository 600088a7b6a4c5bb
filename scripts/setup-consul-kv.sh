#!/usr/bin/env bash
# Writes the Redis job's settings to Consul KV where a key is absent; never changes a key that is
# set (a set password stays). The Nomad jobs read these keys through their template blocks.
#
#   scripts/setup-consul-kv.sh             # needs consul on the PATH, CONSUL_HTTP_TOKEN (and CONSUL_HTTP_ADDR)
#   scripts/setup-consul-kv.sh --dry-run   # prints the commands instead (the password never)
#   scripts/setup-consul-kv.sh --list      # prints the table: key, default, meaning
#
# Each write is `consul kv put -cas -modify-index=0`, which Consul performs only if the key does
# not exist: no read-then-write race with an operator setting a key at the same time.
set -euo pipefail

# The seed's KV table: key, default ("generated" = 32 random characters), meaning. README.md and
# docs/deploy.md list the same; the tests check that the job specs read every key.
KV_TABLE=(
  "redis/password|generated|Redis's requirepass and masterauth, Sentinel's requirepass and auth-pass; the registrar reads it from a file"
  "redis/maxmemory|2gb|Redis maxmemory; applied live (CONFIG SET) when it changes"
  "redis/maxmemory_policy|allkeys-lru|Redis maxmemory-policy; applied live when it changes"
)

DRY_RUN=0
usage() { echo "usage: $0 [--dry-run] [--list]" >&2; exit 2; }
for arg in "$@"; do
  case $arg in
    --dry-run) DRY_RUN=1 ;;
    --list)
      for row in "${KV_TABLE[@]}"; do IFS='|' read -r key default meaning <<<"$row"; printf '%s\t%s\t%s\n' "$key" "$default" "$meaning"; done
      exit 0 ;;
    *) usage ;;
  esac
done

if [[ $DRY_RUN == 0 ]]; then
  [[ -n ${CONSUL_HTTP_TOKEN:-} ]] || { echo "setup-consul-kv: CONSUL_HTTP_TOKEN is not set" >&2; exit 2; }
  command -v consul >/dev/null || { echo "setup-consul-kv: consul is not on the PATH" >&2; exit 1; }
fi

# A password of 32 characters from [A-Za-z0-9]: no quoting trouble in redis.conf.
generate_password() {
  local pw=""
  while [[ ${#pw} -lt 32 ]]; do
    pw+=$(head -c 64 /dev/urandom | tr -dc 'A-Za-z0-9')
  done
  printf '%s' "${pw:0:32}"
}

# KEY DEFAULT: puts DEFAULT (or a generated password) only if KEY is absent. A password goes
# through stdin ("-"), never through the arguments, which every user on the machine can read.
put_if_absent() {
  local key=$1 default=$2 out
  local cmd=(consul kv put -cas -modify-index=0 "$key")
  if [[ $default == generated ]]; then
    if [[ $DRY_RUN == 1 ]]; then
      echo "${cmd[*]} - < (a generated password)"
      return 0
    fi
    out=$(generate_password | "${cmd[@]}" - 2>&1) && { echo "setup-consul-kv: $key set (a generated password)"; return 0; }
  else
    if [[ $DRY_RUN == 1 ]]; then
      echo "${cmd[*]} $default"
      return 0
    fi
    out=$("${cmd[@]}" "$default" 2>&1) && { echo "setup-consul-kv: $key set to $default"; return 0; }
  fi
  # Older Consul says "CAS failed", newer "CAS performed with index=0 and key already exists."
  if [[ $out == *"CAS failed"* || $out == *"already exists"* ]]; then
    echo "setup-consul-kv: $key is already set; left as it is"
  else
    echo "setup-consul-kv: consul kv put $key failed: $out" >&2
    return 1
  fi
}

for row in "${KV_TABLE[@]}"; do
  IFS='|' read -r key default _ <<<"$row"
  put_if_absent "$key" "$default"
done
