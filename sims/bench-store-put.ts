/**
 * Vault put() throughput: N distinct 1 MiB chunks (default 256) into a HypercoreChunkStore on a
 * fresh temp Corestore, encrypted, verified after write (read back, decrypt, re-hash), indexed.
 * Runs sequential puts and `concurrency` puts in flight (as the offload pipeline does), and
 * prints MB/s (1 MB = 1,048,576 bytes) and peak RSS. Usage: node sims/bench-store-put.ts [N=256] [concurrency=4]
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import { deterministicBytes } from '../src/crypto/identity.ts'
import { ProductionSecrets } from '../src/crypto/secrets.ts'
import { HypercoreChunkStore } from '../src/store/hypercore-chunk-store.ts'

const n = Number(process.argv[2] ?? 256)
const conc = Number(process.argv[3] ?? 4)
const MB = 1024 * 1024
const secrets = new ProductionSecrets(Buffer.alloc(32, 1))
const base = deterministicBytes(MB, Buffer.alloc(32, 7))
const chunk = (i: number, run: number) => { const b = Buffer.from(base); b.writeUInt32BE(i, 0); b.writeUInt32BE(run, 4); return b }

async function run(label: string, inflight: number, runNo: number): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-bench-put-'))
  const store = new Corestore(dir)
  const vault = await HypercoreChunkStore.open({ store: store.namespace('p'), chunkIdKey: secrets.chunkIdKey, dataKey: (e) => secrets.dataKey(e), epoch: 0 })
  let peak = process.memoryUsage.rss()
  const t0 = process.hrtime.bigint()
  let next = 0
  const worker = async () => { while (next < n) { await vault.put(chunk(next++, runNo)); peak = Math.max(peak, process.memoryUsage.rss()) } }
  await Promise.all(Array.from({ length: inflight }, worker))
  const tPut = Number(process.hrtime.bigint() - t0) / 1e9
  await vault.flush()
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  console.log(`${label.padEnd(14)} ${n} x 1 MiB: put ${(n / tPut).toFixed(0).padStart(4)} MB/s, incl. final flush() ${(n / s).toFixed(0).padStart(4)} MB/s (flush ${(s - tPut).toFixed(2)} s)   peak RSS ${(peak / MB).toFixed(0)} MiB`)
  await vault.close(); await store.close()
  await fs.rm(dir, { recursive: true, force: true })
}

for (let r = 0; r < 3; r++) {
  await run('sequential', 1, r * 2)
  await run(`${conc} in flight`, conc, r * 2 + 1)
}
