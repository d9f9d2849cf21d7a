#!/usr/bin/env bash
# Runs each cargo-fuzz target of bulwark-core (core/fuzz) for SECONDS
# (default 60), from its committed seed corpus plus a working corpus kept in
# core/fuzz/target, on a nightly pinned by date (below) and cargo-fuzz at a
# pinned version, each installed only when missing (and said so).
# Prints each target's executions per second and coverage (libFuzzer's `cov`
# and `ft` counters), and fails on any invariant violation.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
CARGO_FUZZ_VERSION=0.13.2
# The fuzz toolchain: the nightly of 2026-05-20, rustc 1.97.0-nightly
# (e50aa6fba 2026-05-19). Where rustup's undated `nightly` is that very
# build (as on the project's machines now), it is used as it is, with no
# download; otherwise the dated toolchain is installed.
FUZZ_NIGHTLY=nightly-2026-05-20
FUZZ_NIGHTLY_COMMIT=e50aa6fba
die() {
  echo "fuzz: $*" >&2
  exit 1
}
command -v rustup >/dev/null || die "rustup is needed for the nightly toolchain"
is_pinned() { rustup run "$1" rustc --version 2>/dev/null | grep -q "($FUZZ_NIGHTLY_COMMIT "; }
if rustup toolchain list | grep -q "^$FUZZ_NIGHTLY-" && is_pinned "$FUZZ_NIGHTLY"; then
  TOOLCHAIN=$FUZZ_NIGHTLY
elif rustup toolchain list | grep -qE "^nightly-[^0-9]" && is_pinned nightly; then
  TOOLCHAIN=nightly
else
  echo "fuzz: installing $FUZZ_NIGHTLY with rustup (the pinned fuzz toolchain)" >&2
  rustup toolchain install "$FUZZ_NIGHTLY" --profile minimal >&2
  TOOLCHAIN=$FUZZ_NIGHTLY
fi
is_pinned "$TOOLCHAIN" || die "toolchain $TOOLCHAIN is not rustc $FUZZ_NIGHTLY_COMMIT ($FUZZ_NIGHTLY)"
echo "fuzz: $(rustup run "$TOOLCHAIN" rustc --version) ($FUZZ_NIGHTLY)"
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION (cargo install --locked)" >&2
  cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" >&2
fi

cd core/fuzz
for target in breaker multisig fund; do
  work="target/corpus/$target"
  mkdir -p "$work"
  log="target/fuzz-$target.log"
  echo "==> cargo fuzz run $target (${SECONDS_PER_TARGET}s)"
  if ! cargo +"$TOOLCHAIN" fuzz run "$target" "$work" "seeds/$target" -- \
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
