#!/usr/bin/env bash
# Runs each cargo-fuzz target of bulwark-core (core/fuzz) for SECONDS
# (default 60), from its committed seed corpus plus a working corpus kept in
# core/fuzz/target. Installs rustup's nightly and cargo-fuzz when missing.
# Prints each target's executions per second and coverage (libFuzzer's `cov`
# and `ft` counters), and fails on any invariant violation.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
CARGO_FUZZ_VERSION=0.13.2
command -v rustup >/dev/null || { echo "fuzz: rustup is needed for the nightly toolchain" >&2; exit 1; }
rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal >&2
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" >&2
fi

cd core/fuzz
for target in breaker multisig fund; do
  work="target/corpus/$target"
  mkdir -p "$work"
  log="target/fuzz-$target.log"
  echo "==> cargo fuzz run $target (${SECONDS_PER_TARGET}s)"
  if ! cargo +nightly fuzz run "$target" "$work" "seeds/$target" -- \
      -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz: $target found an invariant violation (see core/fuzz/artifacts/$target)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  done_line=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  corpus=$(find "$work" -type f | wc -l)
  printf '  %-9s %10s runs  %8s exec/s  cov %6s  ft %6s  corpus %5s\n' "$target" "$runs" "$rate" "$cov" "$ft" "$corpus"
done
