// Bugs the simulations found, kept as regression tests with the seed that showed them.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import { afterEach, describe, expect, it } from 'vitest'
import { ProductionSecrets } from '../src/crypto/secrets.ts'
import { HypercoreChunkStore } from '../src/store/hypercore-chunk-store.ts'
import { runScenario } from '../sims/harness/runner.ts'
import { mesh } from '../sims/scenarios/mesh.ts'
import { shoot } from '../sims/scenarios/shoot.ts'

let cleanup: (() => Promise<void>) | null = null
afterEach(async () => { await cleanup?.(); cleanup = null })

describe('sims regressions', () => {
  // `node sims/run.ts --scenario shoot --seed 1 --days 1`: the cart's disk lost the block of camera
  // B's settings sidecar; the next B card's identical sidecar deduplicated against the lost block,
  // so put() "stored" it and the offload recorded a verified vault copy nobody could read.
  it('put() of a chunk whose block was lost stores it again instead of returning the lost ref', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-simreg-'))
    const store = new Corestore(dir)
    const s = ProductionSecrets.create()
    const cs = await HypercoreChunkStore.open({ store: store.namespace('p'), chunkIdKey: s.chunkIdKey, dataKey: (e) => s.dataKey(e), epoch: 0, timeout: 200 })
    cleanup = async () => { await cs.close(); await store.close(); await fs.rm(dir, { recursive: true, force: true }) }
    const sidecar = Buffer.alloc(1500, 0x5a)
    const first = await cs.put(sidecar)
    expect(await cs.put(sidecar)).toEqual(first) // still deduplicated while the block is there
    await (await cs.core(first.core, 0)).clear(first.block)
    const again = await cs.put(sidecar)
    expect(again.block).not.toBe(first.block)
    expect((await cs.get(again)).equals(sidecar)).toBe(true)
    expect(await cs.has(again.id)).toBe(true)
    expect(await cs.lookup(again.id)).toEqual(again)
  })

  it('shoot seed 1, day 1 (the seed that found it) passes every invariant', async () => {
    const r = await runScenario(shoot, 1, { days: 1 })
    expect(r.failure ?? null).toBeNull()
    expect(r.ok).toBe(true)
  }, 60_000)

  it('mesh seed 1: after 10 s of quiet the only indexer still applies the other writers\' new events (they were never ordered in before the wake-up hint)', async () => {
    const r = await runScenario(mesh, 1)
    expect(r.failure ?? null).toBeNull()
    expect(r.ok).toBe(true)
  }, 60_000)
})
