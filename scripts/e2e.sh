#!/usr/bin/env bash
# Runs the end-to-end suite: ink_e2e 5.1.1 on its in-process sandbox (the
# real pallet-contracts runtime, no node), with Debian's rustc-web toolchain.
# ink_e2e builds the contracts itself, in debug mode. A cold run compiles the
# sandbox runtime (about 20 minutes on 2 cores); later runs take minutes.
# Writes the gas of the hot messages to e2e/target/e2e-gas.json and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."

E2E_TOOLCHAIN=$(scripts/toolchain.sh --e2e)
# Tests share one build of each contract; two threads keep memory modest.
(cd e2e && RUSTUP_TOOLCHAIN="$E2E_TOOLCHAIN" cargo test --locked --features e2e-tests -- --test-threads 2)

echo
echo "gas of the hot messages (debug builds, as ink_e2e deploys them):"
printf '  %-44s %14s %11s\n' message ref_time proof_size
sed -n 's/.*"message": "\([^"]*\)", "ref_time": \([0-9]*\), "proof_size": \([0-9]*\).*/\1|\2|\3/p' e2e/target/e2e-gas.json |
  while IFS='|' read -r m r p; do printf '  %-44s %14s %11s\n' "$m" "$r" "$p"; done
