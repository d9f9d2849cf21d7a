#!/usr/bin/env bash
# test.sh's exit handler keeps the run's exit status. Session 17's CI printed
# "all checks passed" and still exited 1: under `set -e` the EXIT trap's
# `pkill -P` found no process (calibrate had finished) and its failure became
# the script's status. This runs the real handler, taken from test.sh, in
# shells under `set -euo pipefail`: a run that succeeds after its calibration
# has finished exits 0, a failed run keeps its status, and a calibration
# still running is stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."

handler=$(sed -n '/^on_exit() {$/,/^}$/p' scripts/test.sh)
if [ -z "$handler" ] || ! grep -q '^trap on_exit EXIT$' scripts/test.sh; then
  echo "exit-status: scripts/test.sh has no on_exit handler trapped on EXIT" >&2
  exit 1
fi

bad=0
# $1: what the run does after installing the handler; $2: the status expected.
expect() {
  local status=0
  bash -c "set -euo pipefail
RESULTS=\$(mktemp)
CALIBRATE_PID=''
$handler
trap on_exit EXIT
$1" >/dev/null 2>&1 || status=$?
  if [ "$status" != "$2" ]; then
    echo "exit-status: a run that does '$1' exited $status, expected $2" >&2
    bad=1
  fi
}
expect '( sleep 0.1 ) & CALIBRATE_PID=$!; wait "$CALIBRATE_PID"; true' 0
expect 'true' 0
expect '( sleep 0.1 ) & CALIBRATE_PID=$!; wait "$CALIBRATE_PID"; false' 1
expect 'exit 3' 3

# A calibration still running when the run fails is stopped with it.
marker=$(mktemp)
rm -f "$marker"
expect "( sleep 2; touch '$marker' ) & CALIBRATE_PID=\$!; false" 1
sleep 3
if [ -e "$marker" ]; then
  echo "exit-status: the calibration kept running after the run failed" >&2
  rm -f "$marker"
  bad=1
fi
exit "$bad"
