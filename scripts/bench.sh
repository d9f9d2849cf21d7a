#!/usr/bin/env bash
# Throughput of bulwark-sim beside the numpy reference model of the same
# path (simulator/benches/reference_model.py), on this machine: installs
# the pinned numpy (scripts/requirements/bench.txt, hash-checked) for the
# user when python3 has another or none, then runs `bulwark-sim bench`
# (core steps/s, paths/s, 1 -> 2 thread scaling, and the ratio to numpy per
# CPU-second). Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v python3 >/dev/null || { echo "bench: python3 is needed for the numpy reference model" >&2; exit 1; }
REQUIREMENTS=scripts/requirements/bench.txt
NUMPY_VERSION=$(sed -n 's/^numpy==\([^ ]*\).*/\1/p' "$REQUIREMENTS")
if [ "$(python3 -c 'import numpy; print(numpy.__version__)' 2>/dev/null)" != "$NUMPY_VERSION" ]; then
  echo "bench: installing numpy $NUMPY_VERSION for the user (pip --user, hash-checked from $REQUIREMENTS) for the numpy reference model" >&2
  python3 -m pip install --user --quiet --disable-pip-version-check --require-hashes -r "$REQUIREMENTS" >&2
fi
cargo run --release -q -p bulwark-sim -- bench "$@"
