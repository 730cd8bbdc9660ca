import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashStream } from '../crypto/hashes.ts'
import { createReadStream } from 'node:fs'
import { makeSyntheticCard } from './synthetic-card.ts'

let dir: string
beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-card-')) })
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }) })

describe('synthetic cards', () => {
  it('are deterministic, card-shaped and sized as asked', async () => {
    const a = await makeSyntheticCard({ root: path.join(dir, 'a'), card: 'A001', clips: 3, clipBytes: 300_000, sidecars: 5 })
    const b = await makeSyntheticCard({ root: path.join(dir, 'b'), card: 'A001', clips: 3, clipBytes: 300_000, sidecars: 5 })
    expect(a.files.map((f) => f.path)).toEqual(b.files.map((f) => f.path))
    expect(a.files.filter((f) => f.path.endsWith('.mxf'))).toHaveLength(3)
    expect(a.files.filter((f) => f.path.startsWith('Sidecar/'))).toHaveLength(5)
    for (const f of a.files) {
      const [ha, hb] = await Promise.all([a, b].map((c) => hashStream(createReadStream(path.join(c.dir, f.path)))))
      expect(ha).toEqual(hb)
      expect(ha!.bytes).toBe(f.size)
    }
    const mxf = a.files.find((f) => f.path.endsWith('.mxf'))!
    const head = (await fs.readFile(path.join(a.dir, mxf.path))).subarray(0, 4)
    expect(head.toString('hex')).toBe('060e2b34')
    const c = await makeSyntheticCard({ root: path.join(dir, 'c'), card: 'A001', clips: 3, clipBytes: 300_000, sidecars: 5, seed: 'other' })
    const hc = await hashStream(createReadStream(path.join(c.dir, c.files.find((f) => f.path.endsWith('.mxf'))!.path)))
    const ha = await hashStream(createReadStream(path.join(a.dir, mxf.path)))
    expect(hc.xxh64).not.toBe(ha.xxh64)
  })
})
