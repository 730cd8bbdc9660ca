/**
 * Offload throughput and memory: one generated file (default 1 GiB, written in 1 MiB pieces,
 * never held in memory) offloaded to destinations under a temp dir, with and without a real
 * Hypercore vault. Prints MB/s (card bytes per second, source re-read and read-back verify
 * included) and peak RSS, sampled every 50 ms. Note: the source re-read and the destination
 * read-back are likely served from the page cache on a machine with free memory, so this measures
 * the pipeline, not the disks.
 *
 * Usage: node sims/bench-offload-pipeline.ts [MiB=1024] [tmp root=os.tmpdir()]
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import { generateIdentity, deterministicBytes } from '../src/crypto/identity.ts'
import { CardId } from '../src/crypto/ids.ts'
import { ProductionSecrets } from '../src/crypto/secrets.ts'
import { MemoryCustodySink } from '../src/media/custody-sink.ts'
import { offload } from '../src/media/offload.ts'
import { HypercoreChunkStore } from '../src/store/hypercore-chunk-store.ts'
import type { ChunkStore } from '../src/store/chunk-store.ts'

const MB = 1024 * 1024
const mib = Number(process.argv[2] ?? 1024)
const root = await fs.mkdtemp(path.join(process.argv[3] ?? os.tmpdir(), 'onset-bench-offload-'))
const self = generateIdentity().peerKey

try {
  const card = path.join(root, 'card', 'B001')
  await fs.mkdir(path.join(card, 'Clips'), { recursive: true })
  const block = deterministicBytes(MB, Buffer.alloc(32, 1))
  const fh = await fs.open(path.join(card, 'Clips', 'B001C001.mxf'), 'w')
  for (let i = 0; i < mib; i++) { block.writeUInt32BE(i, 0); await fh.write(block) }
  await fh.sync(); await fh.close()

  const run = async (label: string, dests: number, withVault: boolean) => {
    const w = await fs.mkdtemp(path.join(root, 'run-'))
    let store: Corestore | null = null
    let vault: ChunkStore | null = null
    if (withVault) {
      const secrets = new ProductionSecrets(Buffer.alloc(32, 3))
      store = new Corestore(path.join(w, 'corestore'))
      vault = await HypercoreChunkStore.open({ store: store.namespace('p'), chunkIdKey: secrets.chunkIdKey, dataKey: (e) => secrets.dataKey(e), epoch: 0 })
    }
    const rss0 = process.memoryUsage.rss()
    let peak = rss0
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 50)
    const t0 = process.hrtime.bigint()
    const r = await offload({
      cardDir: card, card: CardId.parse('B001'), dests: Array.from({ length: dests }, (_, i) => path.join(w, `d${i}`)),
      vault, custody: new MemoryCustodySink(), journalDir: path.join(w, 'journal'), self,
    })
    const s = Number(process.hrtime.bigint() - t0) / 1e9
    clearInterval(sampler)
    if (vault) await (vault as HypercoreChunkStore).close()
    await store?.close()
    process.stdout.write(`${label.padEnd(30)} ${r.ok ? 'ok ' : 'FAILED'} ${(mib / s).toFixed(0).padStart(5)} MB/s  ${s.toFixed(1).padStart(6)} s   peak RSS ${(peak / MB).toFixed(0)} MiB (start ${(rss0 / MB).toFixed(0)} MiB)\n`)
    await fs.rm(w, { recursive: true, force: true })
  }
  process.stdout.write(`offload of one ${mib} MiB file, node ${process.version}, ${os.cpus().length} cores\n`)
  await run('1 destination, no vault', 1, false)
  await run('2 destinations, no vault', 2, false)
  await run('2 destinations + Hypercore vault', 2, true)
} finally {
  await fs.rm(root, { recursive: true, force: true })
}
