#!/usr/bin/env bash
# Provides the pinned contract toolchain and cargo-contract, then prints the
# toolchain's rustup name on stdout (everything else goes to stderr).
#
# With --revive it instead provides the ink! 6 contracts' toolchain (see
# below) and prints the folder of its cargo-contract.
#
# Why a private toolchain: cargo-contract builds with -Zbuild-std, which needs
# rust-src, and cargo-contract 5's `--release` breaks on Rust >= 1.92
# (panic_immediate_abort). rustup cannot download here, so when rustup cannot
# install 1.85 we assemble it from Debian bookworm's rustc-web 1.85 packages
# into a cache folder outside the clone and `rustup toolchain link` it.
#
# Idempotent: once the toolchain answers and cargo-contract reports the pinned
# version, a run takes well under a second.
set -euo pipefail

RUST_VERSION=1.85
DEB_VERSION="1.85.0+dfsg3-1~deb12u3"
TOOLCHAIN="${BULWARK_TOOLCHAIN:-bulwark-${RUST_VERSION}}"
CACHE="${BULWARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark}"
TC_DIR="$CACHE/rust-${DEB_VERSION}"
CARGO_CONTRACT_VERSION=5.0.3
HOST=x86_64-unknown-linux-gnu

log() { printf 'toolchain: %s\n' "$*" >&2; }
die() { printf 'toolchain: ERROR: %s\n' "$*" >&2; exit 1; }

command -v rustup >/dev/null || die "rustup is not installed; it is needed to link the contract toolchain"

command -v cargo >/dev/null || die "cargo (stable) is not installed"

toolchain_ok() {
  rustup run "$TOOLCHAIN" rustc --version 2>/dev/null | grep -q "^rustc ${RUST_VERSION}\." &&
    [ -d "$(rustup run "$TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library/core" ] &&
    rustup run "$TOOLCHAIN" cargo clippy --version >/dev/null 2>&1
}

# apt_install WHY PKG...: says what and why, then apt-get install as root.
# shellcheck source=lib/apt.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/apt.sh"

# --revive provides what the ink! 6 contracts (contracts/revive) build with,
# and prints the folder holding its cargo-contract, to put first on PATH:
# Rust 1.95.0 with rust-src (cargo-contract 6 builds PolkaVM code with
# -Zbuild-std; polkadot-sdk 2609 needs a newer Rust than 1.85), and
# cargo-contract 6.0.0-beta.2, installed into its own folder under the cache
# so that it and cargo-contract 5 (on PATH) do not replace each other.
if [ "${1:-}" = "--revive" ]; then
  REVIVE_RUST=1.95.0
  REVIVE_CARGO_CONTRACT=6.0.0-beta.2
  bin="$CACHE/tools/cargo-contract-$REVIVE_CARGO_CONTRACT/bin"
  if ! rustup run "$REVIVE_RUST" rustc --version >/dev/null 2>&1; then
    rustup toolchain install "$REVIVE_RUST" --profile minimal >&2 || die "cannot install Rust $REVIVE_RUST"
  fi
  # Added only when missing: rustup reinstalls are not free for builds in flight.
  for component in rust-src clippy rustfmt; do
    rustup component list --installed --toolchain "$REVIVE_RUST" 2>/dev/null | grep -q "^$component" ||
      rustup component add "$component" --toolchain "$REVIVE_RUST" >&2 || die "cannot add $component to Rust $REVIVE_RUST"
  done
  if ! "$bin/cargo-contract" --version 2>/dev/null | grep -q "^cargo-contract $REVIVE_CARGO_CONTRACT"; then
    log "installing cargo-contract $REVIVE_CARGO_CONTRACT into $bin (a cold build takes about 10 min)"
    RUSTUP_TOOLCHAIN="$REVIVE_RUST" cargo install --locked cargo-contract --version "$REVIVE_CARGO_CONTRACT" \
      --root "$CACHE/tools/cargo-contract-$REVIVE_CARGO_CONTRACT" >&2 ||
      die "cargo install cargo-contract $REVIVE_CARGO_CONTRACT failed"
  fi
  log "Rust $REVIVE_RUST and $("$bin/cargo-contract" --version) ready"
  echo "$bin"
  exit 0
fi

try_rustup_install() {
  # Where rustup can reach its dist server, the official 1.85 toolchain is simplest.
  timeout 600 rustup toolchain install "$RUST_VERSION" --profile minimal -c rust-src -c clippy >/dev/null 2>&1 || return 1
  rustup toolchain link "$TOOLCHAIN" "$(rustup run "$RUST_VERSION" rustc --print sysroot)" >/dev/null
}

assemble_from_debian() {
  command -v apt-get >/dev/null || die "rustup cannot install Rust ${RUST_VERSION} and apt-get is absent; install Rust ${RUST_VERSION} with rust-src and clippy and link it as '${TOOLCHAIN}'"
  [ -f /etc/debian_version ] || die "building the toolchain needs Debian bookworm packages"
  log "assembling Rust ${RUST_VERSION} from Debian packages into $TC_DIR"
  # Runtime libraries of the Debian rustc/cargo, and lld to act as rust-lld for wasm.
  apt_install "the runtime libraries of Debian's rustc and cargo ${RUST_VERSION}, and lld-19 as rust-lld for wasm" \
    libllvm19 libpcre3 libhttp-parser2.9 libssh2-1 libcurl4 lld-19
  local dl
  dl=$(mktemp -d)
  trap 'rm -rf "$dl"' RETURN
  local pkgs=(rustc-web cargo-web libstd-rust-web-1.85 libstd-rust-web-dev rust-web-src rust-web-clippy)
  local spec=()
  for p in "${pkgs[@]}"; do spec+=("$p=$DEB_VERSION"); done
  if ! (cd "$dl" && apt-get download "${spec[@]}" >/dev/null 2>&1); then
    apt-get update >/dev/null 2>&1 || true
    (cd "$dl" && apt-get download "${spec[@]}" >&2) || die "apt-get download of ${pkgs[*]} at $DEB_VERSION failed"
  fi
  rm -rf "$TC_DIR.tmp"
  mkdir -p "$TC_DIR.tmp"
  for deb in "$dl"/*.deb; do dpkg -x "$deb" "$TC_DIR.tmp"; done
  local root="$TC_DIR.tmp/usr"
  # rustc looks for its driver library next to the sysroot's lib/, not in the multiarch dir.
  for so in "$root"/lib/x86_64-linux-gnu/librustc_driver-*.so; do
    ln -sf "x86_64-linux-gnu/$(basename "$so")" "$root/lib/$(basename "$so")"
  done
  # rustc searches lib/rustlib/<host>/bin for rust-lld; lld is a multi-flavour
  # linker, so a link named rust-lld serves wasm32 links.
  mkdir -p "$root/lib/rustlib/$HOST/bin"
  ln -sf /usr/bin/lld-19 "$root/lib/rustlib/$HOST/bin/rust-lld"
  [ -x "$root/bin/rustc" ] || die "unpacked packages hold no usr/bin/rustc"
  rm -rf "$TC_DIR"
  mv "$TC_DIR.tmp" "$TC_DIR"
  rustup toolchain link "$TOOLCHAIN" "$TC_DIR/usr" >/dev/null
}

if toolchain_ok; then
  log "$TOOLCHAIN present: $(rustup run "$TOOLCHAIN" rustc --version)"
else
  rustup toolchain uninstall "$TOOLCHAIN" >/dev/null 2>&1 || true
  # BULWARK_TOOLCHAIN_SOURCE=debian skips rustup (to exercise the offline path).
  if [ "${BULWARK_TOOLCHAIN_SOURCE:-}" != debian ] && try_rustup_install; then
    log "installed Rust ${RUST_VERSION} with rustup"
  else
    assemble_from_debian
  fi
  toolchain_ok || die "toolchain '$TOOLCHAIN' still lacks rustc ${RUST_VERSION}, rust-src or clippy after setup"
  log "$TOOLCHAIN ready: $(rustup run "$TOOLCHAIN" rustc --version)"
fi

if cargo contract --version 2>/dev/null | grep -q "cargo-contract-contract $CARGO_CONTRACT_VERSION\|cargo-contract $CARGO_CONTRACT_VERSION"; then
  log "cargo-contract $CARGO_CONTRACT_VERSION present"
else
  log "installing cargo-contract $CARGO_CONTRACT_VERSION (a cold build takes 8-15 min)"
  # cargo-contract links against binaryen's C++ code (built by the wasm-opt crate).
  command -v c++ >/dev/null || apt_install "a C++ compiler for binaryen, which cargo-contract links" g++
  command -v cmake >/dev/null || apt_install "cmake for binaryen, which cargo-contract links" cmake
  RUSTUP_TOOLCHAIN=stable cargo install --locked cargo-contract --version "$CARGO_CONTRACT_VERSION" >&2 ||
    die "cargo install cargo-contract $CARGO_CONTRACT_VERSION failed"
fi

echo "$TOOLCHAIN"
