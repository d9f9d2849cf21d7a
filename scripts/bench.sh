#!/usr/bin/env bash
# Throughput of bulwark-sim beside the numpy reference model of the same
# path (simulator/benches/reference_model.py), on this machine: installs
# numpy for the user when python3 lacks it, then runs `bulwark-sim bench`
# (core steps/s, paths/s, 1 -> 2 thread scaling, and the ratio to numpy per
# CPU-second). Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v python3 >/dev/null || { echo "bench: python3 is needed for the numpy reference model" >&2; exit 1; }
if ! python3 -c 'import numpy' 2>/dev/null; then
  python3 -m pip install --user --quiet numpy >&2
fi
cargo run --release -q -p bulwark-sim -- bench "$@"
