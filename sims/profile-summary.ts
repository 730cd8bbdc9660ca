/**
 * Where a process's time went, from a V8 CPU profile (`node --cpu-prof`): self time grouped by
 * what the code is (garbage collection, idle/waiting, BLAKE2b, encryption, RocksDB, Hypercore's
 * Merkle tree, xxhash, the custody log, …) and the top functions.
 *
 *   node sims/profile-summary.ts <file.cpuprofile> [TOP=15]
 */
import { readFileSync } from 'node:fs'

interface Node { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }
interface Profile { nodes: Node[], samples: number[], timeDeltas: number[] }

const file = process.argv[2]
if (!file) { process.stderr.write('usage: node sims/profile-summary.ts <file.cpuprofile> [TOP]\n'); process.exit(2) }
const top = Number(process.argv[3] ?? 15)
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const self = new Map<number, number>()
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0))

const CATEGORIES: [string, RegExp][] = [
  ['idle (waiting on I/O, peers)', /^\(idle\)$/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['BLAKE2b (Merkle tree, chunk ids)', /blake2b|crypto_generichash|hypercore-crypto|merkle|flat-tree/i],
  ['encryption (Noise stream, block cipher)', /secret-stream|secretstream|xchacha|xsalsa|crypto_stream|encrypt|decrypt|sodium/i],
  ['RocksDB and storage', /rocksdb|hypercore-storage|storage/i],
  ['hashing (xxhash, md5, sha1)', /hash-wasm|xxh|wasm/i],
  ['custody log (Autobase, Hyperbee)', /autobase|hyperbee|\/log\//i],
  ['Hypercore replication (protomux, wire)', /hypercore\/lib\/replicator|protomux|compact-encoding|hypercore/i],
  ['onset', /\/src\//],
  ['Node internals', /^node:|^$/],
]

const cat = new Map<string, number>()
const fn = new Map<string, number>()
let total = 0
for (const [id, t] of self) {
  const n = byId.get(id)!
  const f = n.callFrame
  const label = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/src\//, 'src/')}:${f.lineNumber + 1}`
  fn.set(label, (fn.get(label) ?? 0) + t)
  const hay = `${f.functionName} ${f.url}`
  const c = CATEGORIES.find(([, re]) => re.test(f.functionName) || re.test(f.url) || re.test(hay))?.[0] ?? 'other'
  cat.set(c, (cat.get(c) ?? 0) + t)
  total += t
}
const pct = (t: number) => `${((100 * t) / total).toFixed(1)}%`
console.log(`${(total / 1e6).toFixed(1)} s sampled in ${file}\n\n| where | share |\n|---|---|`)
for (const [c, t] of [...cat].sort((a, b) => b[1] - a[1])) console.log(`| ${c} | ${pct(t)} |`)
console.log(`\n| top functions (self time) | share |\n|---|---|`)
for (const [f, t] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`| \`${f}\` | ${pct(t)} |`)
