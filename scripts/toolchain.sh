#!/usr/bin/env bash
# Provides what the ink! 6 contracts (contracts/, e2e/protected_vault) build
# with, then prints the folder holding cargo-contract on stdout (everything
# else goes to stderr), to put first on PATH:
# - Rust 1.95.0 with rust-src, clippy and rustfmt: cargo-contract 6 builds
#   PolkaVM code with -Zbuild-std, and polkadot-sdk 2609 (the local revive
#   runtime) needs a Rust newer than 1.85;
# - cargo-contract 6.0.0-beta.2, installed into its own folder under the
#   cache (outside the clone, keyed by version), so a new clone reuses it.
#
# rustup installs the toolchain (docs/toolchains.md). The ink! 5 contracts'
# Rust 1.85 and cargo-contract 5.0.3 are at the tag
# ink5-pallet-contracts-final (docs/decisions/0013).
#
# Idempotent: once the toolchain answers and cargo-contract reports the
# pinned version, a run takes well under a second.
set -euo pipefail

RUST=1.95.0
CARGO_CONTRACT=6.0.0-beta.2
CACHE="${BULWARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark}"
ROOT="$CACHE/tools/cargo-contract-$CARGO_CONTRACT"
BIN="$ROOT/bin"

log() { printf 'toolchain: %s\n' "$*" >&2; }
die() { printf 'toolchain: ERROR: %s\n' "$*" >&2; exit 1; }

command -v rustup >/dev/null || die "rustup is not installed; it provides Rust $RUST"

if ! rustup run "$RUST" rustc --version >/dev/null 2>&1; then
  rustup toolchain install "$RUST" --profile minimal >&2 || die "cannot install Rust $RUST"
fi
# Added only when missing: rustup reinstalls are not free for builds in flight.
for component in rust-src clippy rustfmt; do
  rustup component list --installed --toolchain "$RUST" 2>/dev/null | grep -q "^$component" ||
    rustup component add "$component" --toolchain "$RUST" >&2 || die "cannot add $component to Rust $RUST"
done
if ! "$BIN/cargo-contract" --version 2>/dev/null | grep -q "^cargo-contract $CARGO_CONTRACT"; then
  log "installing cargo-contract $CARGO_CONTRACT into $BIN (a cold build takes about 10 min)"
  RUSTUP_TOOLCHAIN="$RUST" cargo install --locked cargo-contract --version "$CARGO_CONTRACT" --root "$ROOT" >&2 ||
    die "cargo install cargo-contract $CARGO_CONTRACT failed"
fi
log "Rust $RUST and $("$BIN/cargo-contract" --version) ready"
echo "$BIN"
