#!/usr/bin/env bash
# Issue 21, item 15: what the scripts install is pinned, and nothing is
# installed as root without saying so. A static check of scripts/*.sh:
#   - every pip install reads a requirements file with --require-hashes, and
#     every requirement there is `name==version` with at least one sha256;
#   - every cargo install is --locked at a --version;
#   - no script builds with or installs an undated `nightly`: the fuzz
#     nightly is pinned by date (FUZZ_NIGHTLY=nightly-YYYY-MM-DD in fuzz.sh;
#     fuzz.sh uses rustup's undated nightly only when it is that build);
#   - no script installs with apt-get (nothing is installed as root);
#   - npm installs only with `npm ci` from a lock file whose every package
#     has an integrity hash.
# Prints each violation and exits non-zero if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."

bad=0
# Lines that only mention a command (comments, messages) are not installs.
code() { grep -vE ':[0-9]+:\s*#|(die|log|echo|printf) ["'"'"']'; }
violation() {
  echo "pins: $*" >&2
  bad=1
}
shopt -s nullglob
scripts=(*.sh)

while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  grep -q -- '--require-hashes' <<<"$hit" && grep -qE -- '(^|[[:space:]])-r[[:space:]]' <<<"$hit" ||
    violation "pip install without --require-hashes -r FILE: $hit"
done < <(grep -nE 'pip[3]?( [^ ]+)* install' "${scripts[@]}" | code || true)
for req in requirements/*.txt; do
  [ -f "$req" ] || continue
  while IFS= read -r line; do
    case "$line" in '' | '#'*) continue ;; esac
    grep -qE '^[A-Za-z0-9_.-]+==[^ ]+ ' <<<"$line" || violation "$req: not pinned with ==: $line"
    grep -q -- '--hash=sha256:' <<<"$line" || violation "$req: no sha256 hash: $line"
  done < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$req")
done

while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  grep -q -- '--locked' <<<"$hit" && grep -q -- '--version' <<<"$hit" || violation "cargo install not --locked at a --version: $hit"
done < <(grep -n 'cargo install' "${scripts[@]}" | code || true)

while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  violation "a nightly toolchain not pinned by date: $hit"
done < <(grep -nE '(\+nightly|toolchain install nightly)([^-]|$)' "${scripts[@]}" | code || true)
grep -qE '^FUZZ_NIGHTLY=nightly-[0-9]{4}-[0-9]{2}-[0-9]{2}$' fuzz.sh || violation "fuzz.sh: no FUZZ_NIGHTLY=nightly-YYYY-MM-DD pin"

while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  violation "apt-get install (the scripts install nothing as root): $hit"
done < <(grep -nE 'apt-get (-[^ ]+ )*install' "${scripts[@]}" | code || true)

while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  violation "npm install (not npm ci from a lock file): $hit"
done < <(grep -nE 'npm(-cli.js"?)? (i|install)( |$)' "${scripts[@]}" | code || true)
for lock in chain/package-lock.json; do
  missing=$(python3 -c '
import json, sys
lock = json.load(open(sys.argv[1]))
print("\n".join(p for p, v in lock.get("packages", {}).items() if p and not v.get("link") and "integrity" not in v))
' "$lock")
  [ -z "$missing" ] || violation "$lock: packages without an integrity hash: $missing"
done

[ "$bad" = 0 ] && echo "pins: ok: pip with hashes, cargo installs locked, the nightly dated, no apt-get, npm ci with integrity"
exit "$bad"
