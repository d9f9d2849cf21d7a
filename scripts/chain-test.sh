#!/usr/bin/env bash
# End to end on a real chain: starts the local pallet-revive chain
# (scripts/node.sh) and takes the ink! 6 release builds in
# contracts/target/ink. Then, with bulwark-deploy:
#   1. a params file with a bad value is refused (exit 2) before anything is
#      sent, and so are the unsafe inputs (issue 21): a knob edited after the
#      calibration, params marked infeasible, plaintext ws:// to a remote
#      host, another chain than the --genesis pinned, and (in the unit tests,
#      since this chain is a dev chain) public dev accounts on a live chain;
#   2. a deployer without funds fails at the first step, recorded as failed;
#      --dry-run prints the plan and sends nothing;
#   3. deploy: every step done, the wiring verified;
#   4. deploy again: every step skipped, nothing sent;
#   5. verify alone (every parameter the chain holds, the cover included);
#      verify refuses a file that is not this deployment's record, and a
#      rerun with rebuilt code refuses the old record, both leaving it as it was;
#   6. the check of the deploy tool's message declarations against the
#      contracts' metadata; the on-chain scenarios (deploy/tests/on_chain.rs)
#      through signed extrinsics, and the hot messages' weights and storage
#      deposits (target/chain/weights.json); the chain client's own test
#      (deploy/tests/revive_client.rs).
# Stops the chain when done.
#
# BULWARK_ARTIFACTS=DIR takes the release builds from DIR instead (built
# there beforehand).
#
# usage: scripts/chain-test.sh PARAMS.json
set -euo pipefail
cd "$(dirname "$0")/.."
PARAMS=$(realpath "${1:?usage: scripts/chain-test.sh PARAMS.json}")
OUT=$PWD/target/chain
ARTIFACTS="${BULWARK_ARTIFACTS:-contracts/target/ink}"
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
rm -f "$RECORD" "$OUT/unfunded.json"
# The release builds (scripts/build-contracts.sh).
for name in circuit_breaker insurance_fund multisig_guard; do
  [ -s "$ARTIFACTS/$name/$name.polkavm" ] || {
    scripts/build-contracts.sh
    break
  }
done

# bulwark-deploy's targets are selected from the whole workspace, so that
# dependencies get the features the workspace's unit tests built them with
# (scripts/test.sh): after those, nothing is compiled again. `-p
# bulwark-deploy` would resolve other features and rebuild subxt and the
# simulator.
DEPLOY_TESTS=(--workspace --lib --test on_chain --test revive_client)
step "building bulwark-deploy (test profile, shared with its tests)"
cargo test -q "${DEPLOY_TESTS[@]}" --no-run 2>&1 | tail -3
DEPLOY=$PWD/target/debug/bulwark-deploy
deploy() { "$DEPLOY" "$1" --artifacts "$ARTIFACTS" "${@:2}"; }

# A fresh chain: Chopsticks keeps its state in memory, so a restart is genesis again.
scripts/node.sh stop
scripts/node.sh start
trap 'scripts/node.sh stop' EXIT

# Runs "$@" expecting exit code $1 and output (kept in $OUT/refusal.txt)
# matching the pattern $2.
exits_with() {
  local want=$1 expect=$2
  shift 2
  set +e
  "$@" >"$OUT/refusal.txt" 2>&1
  local code=$?
  set -e
  cat "$OUT/refusal.txt"
  [ "$code" = "$want" ] || fail "exit $code, not $want, for: $*"
  grep -q -- "$expect" "$OUT/refusal.txt" || fail "the output does not say \"$expect\" for: $*"
}
# A deployment refused before anything is sent: exit 2, the message $1,
# no record and no block.
refused() {
  local expect=$1
  shift
  exits_with 2 "$expect" deploy deploy --record "$RECORD" "$@"
  [ ! -e "$RECORD" ] || fail "a refused deployment wrote a record"
  [ "$(block)" = "$before" ] || fail "a refused deployment made a block"
}
before=$(block)

step "a bad value is refused before anything is sent"
sed '0,/"max_bps_of_tvl": [0-9]*/s//"max_bps_of_tvl": 20000/' "$PARAMS" >"$OUT/bad-params.json"
refused 'circuit_breaker.limiter.windows\[\].max_bps_of_tvl' --params "$OUT/bad-params.json" --url "$URL"
# Rewrites params.json with a Python statement on `p` (the parsed file).
edited() {
  python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(p, open(sys.argv[3], "w"), indent=2)' "$PARAMS" "$1" "$2"
}

step "a knob edited after the calibration is refused without --force"
edited 'w = p["circuit_breaker"]["limiter"]["windows"][0]; w["max_bps_of_tvl"] += 1' "$OUT/edited-params.json"
refused "edited after the calibration: circuit_breaker.limiter.windows\[0\].max_bps_of_tvl" \
  --params "$OUT/edited-params.json" --url "$URL"

step "params the calibration marked infeasible are refused without --force"
edited 'p["provenance"]["feasible"] = False' "$OUT/infeasible-params.json"
refused "marked these params infeasible" --params "$OUT/infeasible-params.json" --url "$URL"

step "plaintext ws:// to a remote host is refused"
refused "plaintext ws:// is allowed only to this machine" --params "$PARAMS" --url ws://192.0.2.1:9944

step "a chain other than the pinned genesis is refused"
refused "another chain than the one pinned" --params "$PARAMS" --url "$URL" --genesis "0x$(printf '%064d' 0)"

step "a failure is recorded as failed, never as done"
set +e
BULWARK_SURI=//Unfunded deploy deploy --params "$PARAMS" --url "$URL" --record "$OUT/unfunded.json" >"$OUT/unfunded.txt" 2>&1
code=$?
set -e
cat "$OUT/unfunded.txt"
[ "$code" = 1 ] || fail "a deployer without funds exited $code, not 1"
grep -q '"status": "failed"' "$OUT/unfunded.json" || fail "the failed step is not in the record"
! grep -q '"status": "done"' "$OUT/unfunded.json" || fail "an unfunded deployer recorded a step as done"
[ "$(block)" = "$before" ] || fail "a failed deployment made a block"

step "dry run"
deploy deploy --params "$PARAMS" --url "$URL" --record "$RECORD" --dry-run | tee "$OUT/dry-run.txt"
[ "$(block)" = "$before" ] || fail "the dry run made a block"
[ ! -e "$RECORD" ] || fail "the dry run wrote a record"

step "deploy"
deploy deploy --params "$PARAMS" --url "$URL" --record "$RECORD" | tee "$OUT/deploy.txt"
grep -q '"backend": "pallet-revive"' "$RECORD" || fail "the record does not name the backend pallet-revive"
grep -q '"status": "done"' "$RECORD" || fail "nothing was recorded as done"
deployed=$(block)

step "deploy again: nothing to do"
deploy deploy --params "$PARAMS" --url "$URL" --record "$RECORD" | tee "$OUT/redeploy.txt"
[ "$(block)" = "$deployed" ] || fail "the second deployment made a block"
! grep -q '"status": "done"' "$RECORD" || fail "the second deployment did a step again"

step "verify"
deploy verify --params "$PARAMS" --url "$URL" --record "$RECORD" | tee "$OUT/verify.txt"
for what in "active_cover() equal" "asset 1 registered with params.json's units, TVL and price (read at its registration block" \
  "public development accounts hold no role"; do
  grep -q "^verified .*$what" "$OUT/verify.txt" || fail "verify did not check: $what"
done

step "verify refuses a file that is not this deployment's record, and leaves it as it was"
cp "$PARAMS" "$OUT/not-a-record.json"
exits_with 2 "is not a deployment record" \
  deploy verify --params "$PARAMS" --url "$URL" --record "$OUT/not-a-record.json"
cmp -s "$PARAMS" "$OUT/not-a-record.json" || fail "verify changed a file that is not its record"

step "a rebuilt contract is another deployment: the old record is refused and kept"
rm -rf "$OUT/rebuilt" && mkdir -p "$OUT/rebuilt"
for name in circuit_breaker insurance_fund multisig_guard; do
  mkdir -p "$OUT/rebuilt/$name" && cp "$ARTIFACTS/$name/$name.polkavm" "$OUT/rebuilt/$name/"
done
# Bytes appended: another hash (nothing is sent in any case, the record
# refuses it first).
printf '\x00\x02\x01x' >>"$OUT/rebuilt/circuit_breaker/circuit_breaker.polkavm"
cp "$RECORD" "$OUT/record-before.json"
exits_with 2 "circuit_breaker code" \
  "$DEPLOY" deploy --params "$PARAMS" --url "$URL" --record "$RECORD" --artifacts "$OUT/rebuilt"
cmp -s "$RECORD" "$OUT/record-before.json" || fail "the refused rerun changed the record"
[ "$(block)" = "$deployed" ] || fail "the refused rerun made a block"

step "the deploy tool's message and event declarations against the contracts' metadata"
BULWARK_REVIVE_ARTIFACTS="$(realpath "$ARTIFACTS")" \
  cargo test --workspace --lib revive::abi::metadata_tests -- --ignored --nocapture

step "on-chain scenarios"
BULWARK_PARAMS="$PARAMS" BULWARK_RECORD="$RECORD" BULWARK_WEIGHTS="$OUT/weights.json" BULWARK_CHAIN_URL="$URL" \
  BULWARK_REVIVE_ARTIFACTS="$(realpath "$ARTIFACTS")" \
  cargo test --workspace --test on_chain -- --ignored --test-threads 1 --nocapture

step "the revive chain client with one contract (a circuit_breaker of its own)"
BULWARK_CHAIN_URL="$URL" BULWARK_REVIVE_ARTIFACTS="$(realpath "$ARTIFACTS")" \
  cargo test --workspace --test revive_client -- --ignored --nocapture
