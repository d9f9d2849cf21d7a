#!/usr/bin/env bash
# End to end on a real chain: starts the local pallet-contracts chain
# (scripts/node.sh), then, with bulwark-deploy and the release builds in
# target/ink:
#   1. a params file with a bad value is refused (exit 2) before anything is sent;
#   2. a deployer without funds fails at the first step, recorded as failed;
#      --dry-run prints the plan and sends nothing;
#   3. deploy: every step done, the wiring verified;
#   4. deploy again: every step skipped, nothing sent;
#   5. verify alone;
#   6. the on-chain scenarios (deploy/tests/on_chain.rs) through signed
#      extrinsics, and the hot messages' weights (target/chain/weights.json).
# Stops the chain when done.
#
# usage: scripts/chain-test.sh PARAMS.json
set -euo pipefail
cd "$(dirname "$0")/.."
PARAMS=$(realpath "${1:?usage: scripts/chain-test.sh PARAMS.json}")
OUT=$PWD/target/chain
PORT="${BULWARK_CHAIN_PORT:-9944}"
URL="ws://127.0.0.1:$PORT"
RECORD="$OUT/deployment.json"
export BULWARK_SURI=//Alice

step() { printf '\n--> %s\n' "$*"; }
fail() {
  echo "chain-test: FAILED: $*" >&2
  exit 1
}
block() {
  curl -sf -H 'Content-Type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"chain_getHeader","params":[]}' \
    "http://127.0.0.1:$PORT" | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p'
}

mkdir -p "$OUT"
rm -f "$RECORD"
[ -s target/ink/circuit_breaker/circuit_breaker.wasm ] || scripts/build-contracts.sh

step "building bulwark-deploy (test profile, shared with its tests)"
cargo test -q -p bulwark-deploy --no-run 2>&1 | tail -3
DEPLOY=$PWD/target/debug/bulwark-deploy

# A fresh chain: Chopsticks keeps its state in memory, so a restart is genesis again.
scripts/node.sh stop
scripts/node.sh start
trap 'scripts/node.sh stop' EXIT

step "a bad value is refused before anything is sent"
sed '0,/"max_bps_of_tvl": [0-9]*/s//"max_bps_of_tvl": 20000/' "$PARAMS" >"$OUT/bad-params.json"
before=$(block)
set +e
"$DEPLOY" deploy --params "$OUT/bad-params.json" --url "$URL" --record "$RECORD" 2>"$OUT/refusal.txt"
code=$?
set -e
cat "$OUT/refusal.txt"
[ "$code" = 2 ] || fail "a bad params file exited $code, not 2"
grep -q 'circuit_breaker.limiter.windows\[\].max_bps_of_tvl' "$OUT/refusal.txt" || fail "the refusal does not name the field"
[ ! -e "$RECORD" ] || fail "a refused deployment wrote a record"
[ "$(block)" = "$before" ] || fail "a refused deployment made a block"

step "a failure is recorded as failed, never as done"
set +e
BULWARK_SURI=//Unfunded "$DEPLOY" deploy --params "$PARAMS" --url "$URL" --record "$OUT/unfunded.json" >"$OUT/unfunded.txt" 2>&1
code=$?
set -e
cat "$OUT/unfunded.txt"
[ "$code" = 1 ] || fail "a deployer without funds exited $code, not 1"
grep -q '"status": "failed"' "$OUT/unfunded.json" || fail "the failed step is not in the record"
! grep -q '"status": "done"' "$OUT/unfunded.json" || fail "an unfunded deployer recorded a step as done"
[ "$(block)" = "$before" ] || fail "a failed deployment made a block"

step "dry run"
"$DEPLOY" deploy --params "$PARAMS" --url "$URL" --record "$RECORD" --dry-run | tee "$OUT/dry-run.txt"
[ "$(block)" = "$before" ] || fail "the dry run made a block"
[ ! -e "$RECORD" ] || fail "the dry run wrote a record"

step "deploy"
"$DEPLOY" deploy --params "$PARAMS" --url "$URL" --record "$RECORD" | tee "$OUT/deploy.txt"
grep -q '"status": "done"' "$RECORD" || fail "nothing was recorded as done"
deployed=$(block)

step "deploy again: nothing to do"
"$DEPLOY" deploy --params "$PARAMS" --url "$URL" --record "$RECORD" | tee "$OUT/redeploy.txt"
[ "$(block)" = "$deployed" ] || fail "the second deployment made a block"
! grep -q '"status": "done"' "$RECORD" || fail "the second deployment did a step again"

step "verify"
"$DEPLOY" verify --params "$PARAMS" --url "$URL" --record "$RECORD"

step "on-chain scenarios"
BULWARK_PARAMS="$PARAMS" BULWARK_RECORD="$RECORD" BULWARK_WEIGHTS="$OUT/weights.json" BULWARK_CHAIN_URL="$URL" \
  cargo test -p bulwark-deploy --test on_chain -- --ignored --test-threads 1 --nocapture
