/**
 * Hash throughput and memory over a large streamed input (default 1 GiB, generated on the fly,
 * never held in memory). Prints MB/s per algorithm and peak RSS, so "memory stays flat" is a
 * measured fact. Usage: node sims/bench-hash.ts [MiB=1024]
 */
import { FileHasher, HASH_ALGOS, chunkId, type HashAlgo } from '../src/crypto/hashes.ts'
import { deterministicBytes } from '../src/crypto/identity.ts'

const mib = Number(process.argv[2] ?? 1024)
const block = deterministicBytes(1024 * 1024, Buffer.alloc(32, 1))
const MB = 1024 * 1024

function* input(): Generator<Buffer> {
  for (let i = 0; i < mib; i++) { block[0] = i & 0xff; yield block }
}

async function measure(label: string, algos: readonly HashAlgo[] | 'chunk-id'): Promise<void> {
  const rssBefore = process.memoryUsage().rss
  let peak = rssBefore
  const t0 = process.hrtime.bigint()
  if (algos === 'chunk-id') {
    const key = Buffer.alloc(32, 2)
    for (const b of input()) { chunkId(key, b); peak = Math.max(peak, process.memoryUsage.rss()) }
  } else {
    const h = await FileHasher.create(algos)
    for (const b of input()) { h.update(b); peak = Math.max(peak, process.memoryUsage.rss()) }
    h.digest()
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  console.log(`${label.padEnd(26)} ${(mib / s).toFixed(0).padStart(6)} MB/s   peak RSS ${(peak / MB).toFixed(0)} MiB (start ${(rssBefore / MB).toFixed(0)} MiB)`)
}

console.log(`hashing ${mib} MiB streamed in 1 MiB buffers (1 MB = 1,048,576 bytes)`)
for (const a of HASH_ALGOS) await measure(a, [a])
await measure('xxh64+xxh128 (default)', ['xxh64', 'xxh128'])
await measure('chunk id (keyed BLAKE2b)', 'chunk-id')
