#!/usr/bin/env bash
# The README's test command, and what CI runs: installs what it needs, then
# runs every check. Later stages (contract builds, e2e) join as they land.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain"
TOOLCHAIN=$(scripts/toolchain.sh)
for component in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done

step "format"
cargo fmt --all --check

step "clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "unit and property tests"
cargo test --workspace

# bulwark-core must be truly no_std: build it for wasm with only core and
# alloc available, once bare and once with the SCALE derives the contracts use.
step "bulwark-core no_std build for wasm32 ($TOOLCHAIN)"
for features in "" "codec"; do
  RUSTUP_TOOLCHAIN="$TOOLCHAIN" RUSTC_BOOTSTRAP=1 cargo build -p bulwark-core --no-default-features \
    ${features:+--features "$features"} --target wasm32-unknown-unknown -Zbuild-std=core,alloc \
    --target-dir target/contract-toolchain
done

# The README's main job must keep working: calibrate on the built-in scenarios.
step "main job: bulwark-sim calibrate (built-in scenarios)"
cargo run --release -q -p bulwark-sim -- calibrate --quiet --out target/ci-calibrate
for f in params.json report.md report.html; do
  [ -s "target/ci-calibrate/$f" ] || { echo "calibrate did not write $f" >&2; exit 1; }
done

step "all checks passed"
