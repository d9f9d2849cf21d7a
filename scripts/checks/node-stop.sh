#!/usr/bin/env bash
# Issue 21, item 7c: `scripts/node.sh stop` with a stale pid file that names
# an unrelated process (here a `sleep` this check starts) must not kill it.
# Runs a copy of node.sh in a scratch folder, so a real chain's pid file is
# never touched. Exits non-zero when the unrelated process was killed.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Alive: it exists and is not a zombie (killed, not yet reaped).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

scratch=$(mktemp -d)
sleep 1000 &
victim=$!
cleanup() {
  kill "$victim" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

mkdir -p "$scratch/scripts" "$scratch/target/chain"
cp scripts/node.sh "$scratch/scripts/node.sh"
fail=0
# The pid file of an older node.sh (the pid alone) and of this one (pid and
# start time, here a wrong start time): both name a process that is not ours.
for content in "$victim" "$victim 1"; do
  echo "$content" >"$scratch/target/chain/node.pid"
  BULWARK_CACHE="$scratch/cache" "$scratch/scripts/node.sh" stop 2>"$scratch/stop.log" || true
  if ! alive "$victim"; then
    echo "node-stop: FAILED: 'node.sh stop' killed an unrelated process (pid file: '$content')" >&2
    cat "$scratch/stop.log" >&2
    fail=1
    break
  fi
  if [ -e "$scratch/target/chain/node.pid" ]; then
    echo "node-stop: FAILED: the stale pid file ('$content') was left in place" >&2
    fail=1
  fi
done
[ "$fail" = 0 ] || exit 1
echo "node-stop: ok: a stale pid file naming an unrelated process kills nothing"

# And the chain it did start is still stopped: a stand-in node (BULWARK_CHAIN_NODE)
# that answers every RPC call.
fake="$scratch/fake-node"
cat >"$fake" <<'FAKE'
#!/usr/bin/env bash
while [ $# -gt 0 ] && [ "$1" != --rpc-port ]; do shift; done
exec python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$2"
FAKE
chmod +x "$fake"
rm -f "$scratch/target/chain/node.pid"
export BULWARK_CHAIN_PORT=$((20000 + RANDOM % 20000)) BULWARK_CACHE="$scratch/cache"
BULWARK_CHAIN_NODE="$fake" "$scratch/scripts/node.sh" start 2>"$scratch/start.log" || {
  cat "$scratch/start.log" >&2
  echo "node-stop: FAILED: the stand-in chain did not start" >&2
  exit 1
}
ours=$(cut -d' ' -f1 "$scratch/target/chain/node.pid")
"$scratch/scripts/node.sh" stop 2>"$scratch/stop.log"
if alive "$ours"; then
  kill "$ours"
  cat "$scratch/stop.log" >&2
  echo "node-stop: FAILED: 'node.sh stop' left the chain it started running (pid $ours)" >&2
  exit 1
fi
echo "node-stop: ok: the chain node.sh started is stopped"
