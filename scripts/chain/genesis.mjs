// Writes a raw chain spec for Chopsticks' genesis mode from the runtime's
// own genesis builder, without a node binary or chain-spec-builder:
// GenesisBuilder_get_preset(None) gives the default genesis config as JSON,
// we fund the six dev accounts and make Alice sudo, GenesisBuilder_build_state
// writes the storage (captured from the executor's storage diff), and `:code`
// is the runtime itself.
//
// With a PRESET name (revive-dev-runtime's "development"), the runtime's own
// preset is merged over the default config instead, as a node's chain-spec
// builder does: that preset funds the dev accounts, maps them to H160
// addresses and makes Alice sudo.
//
// usage: node genesis.mjs RUNTIME.wasm OUT.json [PRESET]
import { runTask, destroyWorker } from '@acala-network/chopsticks-core'
import { compactAddLength, compactFromU8a, hexToU8a, stringToHex, stringToU8a, u8aConcat, u8aToHex, u8aToString } from '@polkadot/util'
import { readFileSync, writeFileSync } from 'node:fs'

const [wasmPath, outPath, presetName] = process.argv.slice(2)
if (!wasmPath || !outPath) {
  console.error('usage: node genesis.mjs RUNTIME.wasm OUT.json [PRESET]')
  process.exit(2)
}
const wasm = u8aToHex(readFileSync(wasmPath))

// Substrate's well-known development accounts (sr25519, SS58 prefix 42).
const DEV = [
  '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', // Alice
  '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty', // Bob
  '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y', // Charlie
  '5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy', // Dave
  '5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw', // Eve
  '5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL', // Ferdie
]
// 10^12 UNIT each (UNIT = 10^12 base units), written as an exact JSON integer.
const ENDOWMENT = '1000000000000000000000000'

// Storage the builder writes, kept sorted for next-key lookups.
const storage = new Map()
const handler = {
  getStorage: async (key) => storage.get(key),
  getNextKey: async (prefix, key) => {
    const next = [...storage.keys()].filter((k) => k.startsWith(prefix) && k > key).sort()[0]
    return next
  },
  offchainGetStorage: async () => undefined,
  offchainTimestamp: async () => Date.now(),
  offchainRandomSeed: async () => u8aToHex(new Uint8Array(32)),
  offchainSubmitTransaction: async () => false,
}

async function call(method, args) {
  const response = await runTask(
    { wasm, calls: [[method, args]], mockSignatureHost: false, allowUnresolvedImports: false, runtimeLogLevel: 0 },
    handler,
  )
  if ('Error' in response) throw new Error(`${method}: ${response.Error}`)
  for (const [k, v] of response.Call.storageDiff) {
    if (v === null) storage.delete(k)
    else storage.set(k, v)
  }
  return hexToU8a(response.Call.result)
}

// GenesisBuilder_get_preset(Option<PresetId>) returns Option<Vec<u8>>:
// 0x01, a compact length, the JSON. Numbers keep their source text
// (JSON.rawJSON): balances exceed 2^53.
async function preset(id) {
  const arg = id === undefined ? '0x00' : u8aToHex(u8aConcat([1], compactAddLength(stringToU8a(id))))
  const out = await call('GenesisBuilder_get_preset', [arg])
  if (out[0] !== 1) throw new Error(`the runtime has no genesis preset ${id ?? '(default)'}`)
  const [offset, length] = compactFromU8a(out.subarray(1))
  const text = u8aToString(out.subarray(1 + offset, 1 + offset + length.toNumber()))
  return JSON.parse(text, (_, v, ctx) => (typeof v === 'number' ? JSON.rawJSON(ctx.source) : v))
}
// A JSON merge patch (RFC 7386), as the chain-spec builder applies presets.
function merge(base, patch) {
  const object = (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !JSON.isRawJSON(v)
  if (!object(base) || !object(patch)) return patch
  const out = { ...base }
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = merge(base[k], v)
  }
  return out
}

const config = await preset()
let json
if (presetName) {
  json = JSON.stringify(merge(config, await preset(presetName)))
} else {
  config.balances.balances = DEV.map((who) => [who, JSON.rawJSON(ENDOWMENT)])
  config.sudo = { key: DEV[0] }
  json = JSON.stringify(config)
}

// Result<(), String>: 0x00 is Ok.
const built = await call('GenesisBuilder_build_state', [u8aToHex(compactAddLength(stringToU8a(json)))])
if (built[0] !== 0) throw new Error(`GenesisBuilder_build_state refused the config: ${u8aToString(built.subarray(2))}`)
await destroyWorker()

const top = Object.fromEntries([...storage.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
top[stringToHex(':code')] = wasm
const spec = {
  name: 'Bulwark local',
  id: 'bulwark_local',
  chainType: 'Development',
  properties: { ss58Format: 42, tokenDecimals: 12, tokenSymbol: 'UNIT' },
  genesis: { raw: { top, childrenDefault: {} } },
}
writeFileSync(outPath, JSON.stringify(spec))
console.error(`genesis: ${Object.keys(top).length} keys written to ${outPath}`)
