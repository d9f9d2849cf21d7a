#!/usr/bin/env bash
# Builds the three ink! 6 contracts (contracts) in release mode with
# cargo-contract 6.0.0-beta.2 on Rust 1.95.0 (scripts/toolchain.sh),
# checks that no PolkaVM blob imports a host function pallet-revive 0.20.2
# lacks, and prints each blob's size. Artifacts:
# contracts/target/ink/<name>/<name>.{polkavm,json,contract}, where
# bulwark-deploy and the e2e suite read them.
#
# Extra arguments are more crate folders to build the same way (the e2e
# suite's protected vault).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=$(scripts/toolchain.sh)
CRATES=(contracts/circuit_breaker contracts/multisig_guard contracts/insurance_fund "$@")
# Host functions ink_env 6.0.0-beta.1 can import that pallet-revive 0.20.2
# (revive-dev-runtime 0.12.0) does not provide: a blob importing one is
# refused at upload. Import names are stored as plain bytes in the blob.
MISSING_HOST_FUNCTIONS=(set_code_hash weight_to_fee)

sizes=()
for crate in "${CRATES[@]}"; do
  name=$(basename "$crate")
  echo "==> cargo contract build --release ($crate, cargo-contract 6.0.0-beta.2, Rust 1.95.0)"
  # cargo-contract beta.2 warns that it expects ink! beta.2, which is not on
  # the registry; the build is fine. JSON target specs are gated in cargo.
  CARGO_UNSTABLE_JSON_TARGET_SPEC=true PATH="$BIN:$PATH" \
    cargo +1.95.0 contract build --release --quiet --manifest-path "$crate/Cargo.toml" 2>&1 |
    { grep -v "not compatible with the contract's ink! version" || true; }
  target=$(cargo +1.95.0 metadata --no-deps --format-version 1 --manifest-path "$crate/Cargo.toml" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  blob="$target/ink/$name/$name.polkavm"
  [ -s "$blob" ] && [ -s "${blob%.polkavm}.json" ] || { echo "the build of $crate wrote no $blob" >&2; exit 1; }
  grep -aq seal_return "$blob" || { echo "$blob names no seal_return import: not a contract blob?" >&2; exit 1; }
  for f in "${MISSING_HOST_FUNCTIONS[@]}"; do
    if grep -aq "$f" "$blob"; then
      echo "$blob imports $f, which pallet-revive 0.20.2 lacks" >&2
      exit 1
    fi
  done
  sizes+=("$name $(stat -c %s "$blob")")
done

echo
echo "PolkaVM blob size (bytes):"
for s in "${sizes[@]}"; do printf '  %-16s %8s\n' $s; done
