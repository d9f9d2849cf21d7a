// Checks a Solidity interface against the ABI JSON cargo-contract emits for an ink! contract
// (`cargo contract build --release --metadata solidity` writes target/ink/<name>/<name>.abi):
// every function, event and error of the contract must be declared with the same name, canonical
// types (so the same selector or topic), parameter names, indexed flags, outputs and mutability,
// and the interface must declare nothing else. The constructor is skipped (interfaces have none).
//
// Needs solc-js (npm package `solc`, which brings js-sha3) installed somewhere:
//   npm install --prefix /tmp/solcjs solc@0.8.28
//   node contracts/interfaces/check_abi.mjs /tmp/solcjs/node_modules \
//     contracts/interfaces/IBulwarkBreaker.sol contracts/target/ink/circuit_breaker/circuit_breaker.abi
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const [modules, solPath, abiPath] = process.argv.slice(2);
if (!abiPath) {
  console.error('usage: node check_abi.mjs <node_modules with solc> <Interface.sol> <contract.abi>');
  process.exit(2);
}
const require = createRequire(join(modules, 'noop.js'));
const solc = require('solc');
const { keccak256 } = require('js-sha3');

const file = basename(solPath);
const input = {
  language: 'Solidity',
  sources: { [file]: { content: readFileSync(solPath, 'utf8') } },
  settings: { outputSelection: { '*': { '*': ['abi', 'evm.methodIdentifiers'] } } },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors || []).filter((e) => e.severity === 'error');
if (errors.length) {
  errors.forEach((e) => console.error(e.formattedMessage));
  process.exit(1);
}
const [iface] = Object.values(out.contracts[file]);
const ink = JSON.parse(readFileSync(abiPath, 'utf8'));

const canon = (p) =>
  p.type.startsWith('tuple') ? `(${p.components.map(canon).join(',')})${p.type.slice(5)}` : p.type;
const sig = (e) => `${e.name}(${(e.inputs || []).map(canon).join(',')})`;
const key = (e) => `${e.type} ${e.name}`;
const view = (e) =>
  JSON.stringify({
    sig: sig(e),
    names: (e.inputs || []).map((p) => p.name || ''),
    indexed: (e.inputs || []).map((p) => !!p.indexed),
    outputs: (e.outputs || []).map(canon),
    mutability: e.stateMutability || null,
    anonymous: e.anonymous || false,
  });

const theirs = new Map(ink.filter((e) => e.type !== 'constructor').map((e) => [key(e), e]));
const ours = new Map(iface.abi.map((e) => [key(e), e]));
let bad = 0;
for (const [k, e] of theirs) {
  const o = ours.get(k);
  if (!o) {
    console.log(`MISSING  ${k}: ${view(e)}`);
    bad++;
  } else if (view(o) !== view(e)) {
    console.log(`DIFFERS  ${k}\n  contract:  ${view(e)}\n  interface: ${view(o)}`);
    bad++;
  }
}
for (const k of ours.keys()) {
  if (!theirs.has(k)) {
    console.log(`EXTRA    ${k}`);
    bad++;
  }
}
// Selectors: solc's own, against keccak256 of the contract's canonical signatures.
for (const [s, id] of Object.entries(iface.evm.methodIdentifiers)) {
  const e = theirs.get(`function ${s.slice(0, s.indexOf('('))}`);
  if (!e || keccak256(sig(e)).slice(0, 8) !== id) {
    console.log(`SELECTOR ${s} = 0x${id} does not match the contract`);
    bad++;
  }
}
const n = (t) => ink.filter((e) => e.type === t).length;
console.log(
  bad
    ? `${bad} mismatch(es)`
    : `OK: ${n('function')} functions, ${n('event')} events, ${n('error')} errors match ${basename(abiPath)}`,
);
process.exit(bad ? 1 : 0);
