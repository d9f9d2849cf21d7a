#!/usr/bin/env bash
# Runs the end-to-end suite on pallet-revive (e2e/): builds the three
# ink! 6 contracts (contracts) and the protected vault
# (e2e/protected_vault) in release mode
# (scripts/build-contracts.sh), starts a local revive chain
# (revive-dev-runtime 0.12.0 under Chopsticks, scripts/node.sh) on its own
# port, runs the scenarios of e2e/suite against it through
# bulwark-deploy's revive client, stops the chain (also on failure or
# Ctrl-C), and prints each hot message's weight and storage deposit.
#
# Env: BULWARK_E2E_PORT (default 9958): the chain's port;
# BULWARK_E2E_SKIP_BUILD=1 reuses the release builds already there.
# Extra arguments go to the test binary (e.g. a scenario's name).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BULWARK_E2E_PORT:-9958}"
log() { printf 'e2e: %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}
seconds() { date +%s; }

t_start=$(seconds)
if [ "${BULWARK_E2E_SKIP_BUILD:-}" != 1 ]; then
  scripts/build-contracts.sh e2e/protected_vault
fi
t_built=$(seconds)

# The suite's own build, before the chain is up. Its test targets are
# selected from the whole workspace, so that dependencies get the features
# the workspace's unit tests built them with (scripts/test.sh): after
# those, nothing is compiled again. `-p bulwark-e2e` would resolve other
# features and rebuild subxt and the simulator.
SUITE=(--workspace --test metadata --test scenarios)
cargo test --locked "${SUITE[@]}" --no-run
t_compiled=$(seconds)

# A chain of our own: none of this checkout's, nothing else on the port.
export BULWARK_CHAIN_PORT="$PORT"
if scripts/node.sh status >/dev/null 2>&1; then
  die "scripts/node.sh already runs a chain from this checkout; stop it first (scripts/node.sh stop)"
fi
if curl -s -m 2 -o /dev/null "http://127.0.0.1:$PORT"; then
  die "something already answers on port $PORT; set BULWARK_E2E_PORT to a free port"
fi
started=""
cleanup() { [ -z "$started" ] || scripts/node.sh stop || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
started=1
scripts/node.sh start

# One scenario at a time (they share the chain and its clock; the suite
# serialises them in any case).
export BULWARK_CHAIN_URL="ws://127.0.0.1:$PORT"
t_chain=$(seconds)
status=0
cargo test --locked "${SUITE[@]}" -- --include-ignored --test-threads 1 "$@" || status=$?
t_done=$(seconds)

gas=target/e2e-gas.json
if [ -s "$gas" ] && [ "$(stat -c %Y "$gas")" -ge "$t_chain" ]; then
  echo
  echo "hot messages on pallet-revive (release builds; weight required by the dry run, storage deposit charged in native units):"
  printf '  %-52s %14s %11s %16s\n' message ref_time proof_size "storage deposit"
  sed -n 's/.*"message": "\([^"]*\)", "ref_time": \([0-9]*\), "proof_size": \([0-9]*\), "storage_deposit": \(-\{0,1\}[0-9]*\).*/\1|\2|\3|\4/p' "$gas" |
    while IFS='|' read -r m r p d; do printf '  %-52s %14s %11s %16s\n' "$m" "$r" "$p" "$d"; done
fi
echo
log "contracts built in $((t_built - t_start)) s, suite compiled in $((t_compiled - t_built)) s, scenarios ran in $((t_done - t_chain)) s"
exit "$status"
