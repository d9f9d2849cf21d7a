#!/usr/bin/env bash
# Builds the three contracts in release mode with the pinned toolchain, checks
# each Wasm for non-MVP opcodes pallet-contracts rejects, and prints each
# optimized code size in bytes. Artifacts: contracts/target/ink/<name>/, and
# a copy in target/ink/<name>/ that bulwark-deploy reads (the e2e suite's
# debug builds overwrite contracts/target/ink).
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLCHAIN=${BULWARK_TOOLCHAIN_NAME:-$(scripts/toolchain.sh)}
CONTRACTS=(circuit_breaker multisig_guard insurance_fund)
# shellcheck source=lib/apt.sh
source scripts/lib/apt.sh
command -v llvm-objdump >/dev/null ||
  apt_install "for llvm-objdump, which checks each Wasm for opcodes pallet-contracts rejects" llvm

sizes=()
for c in "${CONTRACTS[@]}"; do
  echo "==> cargo contract build --release ($c, $TOOLCHAIN)"
  RUSTUP_TOOLCHAIN="$TOOLCHAIN" cargo contract build --release --quiet --manifest-path "contracts/$c/Cargo.toml"
  wasm="contracts/target/ink/$c/$c.wasm"
  [ -s "contracts/target/ink/$c/$c.contract" ] || { echo "no $c.contract was written" >&2; exit 1; }
  disasm=$(llvm-objdump -d "$wasm") || { echo "llvm-objdump cannot read $wasm" >&2; exit 1; }
  grep -q 'i32.load' <<<"$disasm" || { echo "llvm-objdump printed no code for $wasm" >&2; exit 1; }
  if grep -qE 'memory\.(copy|fill)' <<<"$disasm"; then
    echo "$wasm contains memory.copy/memory.fill, which pallet-contracts rejects" >&2
    exit 1
  fi
  sizes+=("$c $(stat -c %s "$wasm")")
  mkdir -p "target/ink/$c"
  cp "contracts/target/ink/$c/$c.wasm" "contracts/target/ink/$c/$c.contract" "contracts/target/ink/$c/$c.json" "target/ink/$c/"
done

echo
echo "optimized code size (bytes):"
for s in "${sizes[@]}"; do printf '  %-16s %8s\n' $s; done
