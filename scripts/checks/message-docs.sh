#!/usr/bin/env bash
# Issue 22, item 7: every ink! message and constructor says what it does,
# who may call it, what it emits and how it fails. A static check of
# contracts/*/lib.rs: each `#[ink(message...)]` or
# `#[ink(constructor...)]` needs a doc block (the `///` lines above or below
# the attribute, among its other attributes, up to the `fn`) that
#   - starts with a line saying what it does (not a tag line), and
#   - has a line starting `Caller:`, one starting `Emits:` and one starting
#     `Errors:` ("Emits: nothing." and "Errors: none." are fine).
# Prints each violation as file:line, contract and message, and exits
# non-zero if there is any (or if no message was found at all).
set -euo pipefail
cd "$(dirname "$0")/../.."

shopt -s nullglob
files=(contracts/*/lib.rs)
if [ "${#files[@]}" = 0 ]; then
  echo "message-docs: FAILED: no contracts/*/lib.rs found" >&2
  exit 1
fi

python3 - "${files[@]}" <<'PY'
import re
import sys

TAGS = ("Caller:", "Emits:", "Errors:")
INK_ATTR = re.compile(r"\s*#\[ink\((.*)\)\]\s*$")
FN = re.compile(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)")


def doc_text(line):
    """The text of a `///` doc line, or None for any other line."""
    s = line.strip()
    if s.startswith("///") and not s.startswith("////"):
        return s[3:].strip()
    return None


def ends_attribute(s):
    return s.endswith("]") and not s.startswith("#[") and not s.startswith("//")


def docs_above(lines, i):
    """The doc lines in the comments and attributes right above line i."""
    docs = []
    i -= 1
    while i >= 0:
        s = lines[i].strip()
        if s.startswith("//") or s.startswith("#["):
            text = doc_text(s)
            if text is not None:
                docs.append(text)
            i -= 1
        elif ends_attribute(s):
            # The last line of a multi-line attribute: skip to its `#[`.
            j = i - 1
            while j >= 0 and not lines[j].strip().startswith("#["):
                t = lines[j].strip()
                if not t or t.endswith(("{", "}", ";")):
                    return list(reversed(docs))
                j -= 1
            i = j - 1
        else:
            break
    return list(reversed(docs))


violations = 0
found = 0
for path in sys.argv[1:]:
    contract = path[len("contracts/"):-len("/lib.rs")]
    lines = open(path, encoding="utf-8").read().split("\n")
    for n, line in enumerate(lines):
        m = INK_ATTR.match(line)
        if not m:
            continue
        args = [a.strip() for a in m.group(1).split(",")]
        kind = next((k for k in ("message", "constructor") if k in args), None)
        if kind is None:
            continue
        found += 1
        docs = docs_above(lines, n)
        name = None
        for k in range(n + 1, min(n + 40, len(lines))):
            text = doc_text(lines[k])
            if text is not None:
                docs.append(text)
            fn = FN.search(lines[k])
            if fn and not lines[k].strip().startswith("//"):
                name = fn.group(1)
                break
        where = f"{path}:{n + 1}: {contract}::{name or '?'} ({kind})"
        problems = []
        if name is None:
            problems.append("no fn follows the attribute")
        if not any(docs):
            problems.append("no doc comment")
        else:
            first = next(d for d in docs if d)
            if first.startswith(TAGS):
                problems.append(f"the doc starts with '{first.split(':')[0]}:', not with what it does")
            for tag in TAGS:
                if not any(d.startswith(tag) for d in docs):
                    problems.append(f"no '{tag}' line in its doc")
        for p in problems:
            print(f"message-docs: {where}: {p}", file=sys.stderr)
            violations += 1

if found == 0:
    print("message-docs: FAILED: no #[ink(message)] or #[ink(constructor)] found", file=sys.stderr)
    sys.exit(1)
if violations:
    print(f"message-docs: FAILED: {violations} problem(s) in the docs of {found} messages and constructors", file=sys.stderr)
    sys.exit(1)
print(f"message-docs: ok: {found} messages and constructors in {len(sys.argv) - 1} files each document what they do, Caller:, Emits: and Errors:")
PY
