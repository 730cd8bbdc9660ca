// Vault storage faults: a byte flipped inside a stored chunk on disk (in RocksDB's blob file, as a
// failing drive would) is found by `onset verify --vault`, which names the file, the place and
// the chunk; damage accumulates over seeded trials and every report names exactly the damaged
// files. (Repair from a peer that has the data: test/replication.test.ts.)
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CardId } from '../../src/crypto/ids.ts'
import { makeSyntheticCard, type SyntheticCard } from '../../src/media/synthetic-card.ts'
import { damageStoredChunk } from '../helpers/damage.ts'
import { onset, onsetJson } from '../helpers/processes.ts'
import { randInt, rng, scale, tmpDir } from './helpers.ts'

let dir: string
let card: SyntheticCard
beforeAll(async () => {
  dir = await tmpDir('vault-faults')
  card = await makeSyntheticCard({ root: path.join(dir, 'cards'), card: 'A001', clips: 4, clipBytes: 2_500_000, sidecars: 3, seed: 'vault' })
})
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }) })

describe('damaged vault chunks', () => {
  it('verify --vault names exactly the damaged file and chunk; export refuses to rebuild it (seeded)', async () => {
    const r = rng(4040)
    // files big enough that RocksDB keeps their blocks in blob files, where the damage helper flips a byte
    const candidates = card.files.filter((f) => f.size >= 100_000)
    const trials = scale(1, 8)
    for (let i = 0; i < trials; i++) {
      // one damaged chunk per fresh peer (compacting a store that already holds a damaged blob
      // fails RocksDB's blob CRC, so damage does not accumulate here)
      const data = path.join(dir, `d${i}`)
      expect(onset(data, ['--no-passphrase', 'init']).code).toBe(0)
      expect(onset(data, ['production', 'create', 'Vault', '--as', 'cart']).code).toBe(0)
      expect(onsetJson(data, ['offload', card.dir, '--card', 'A001']).j?.ok).toBe(true)
      const f = candidates[randInt(r, 0, candidates.length - 1)]!
      const index = randInt(r, 0, Math.max(1, Math.ceil(f.size / (1 << 20))) - 1)
      await damageStoredChunk(data, CardId.parse('A001'), f.path, index)
      const v = onsetJson(data, ['verify', '--vault', '--no-repair'])
      expect(v.code, v.err).toBe(1)
      expect(v.err).toMatch(/^onset: \S/m)
      expect(v.err).not.toMatch(/internal error|\n\s+at /)
      const failed = (v.j as { failed: { path: string, place: string, detail: string }[] }).failed
      expect(failed.map((x) => [x.path, x.place]), `damaged ${f.path} chunk ${index}`).toEqual([[f.path, 'vault']])
      expect(failed[0]!.detail).toMatch(new RegExp(`chunk ${index}\\b`))
      // an export refuses to rebuild the damaged file rather than writing wrong bytes
      const out = path.join(dir, `ex${i}`)
      const ex = onsetJson(data, ['export', 'A001', out])
      expect(ex.code).toBe(1)
      const files = (ex.j as { files: { path: string, result: string }[] }).files
      expect(files.filter((x) => x.result !== 'ok').map((x) => x.path)).toEqual([f.path])
      await expect(fs.stat(path.join(out, 'A001', f.path))).rejects.toThrow()
      await fs.rm(data, { recursive: true, force: true })
    }
    process.stdout.write(`vault faults: ${trials} damaged chunks, each found\n`)
  }, 300_000)
})

describe('a data directory copied to another place', () => {
  // Found by this suite: a copied data directory (a restore from backup, a cp to a new disk) made
  // every command exit 70 with a stack trace (the store's device-file check). A copy running as
  // the same peer could fork its log, so it is refused — with one line saying what to do.
  it('opens, or refuses with a clear one-line error (not an internal error)', async () => {
    const data = path.join(dir, 'orig')
    expect(onset(data, ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(data, ['production', 'create', 'Moved', '--as', 'cart']).code).toBe(0)
    const copy = path.join(dir, 'copy')
    await fs.cp(data, copy, { recursive: true })
    const r = onsetJson(copy, ['status'])
    expect(r.code, r.err).not.toBe(70)
    expect(r.err).not.toMatch(/internal error|\n\s+at /)
    expect(r.code).toBe(5)
    expect(r.err).toMatch(/was copied or moved from elsewhere/)
    // the documented recovery for a restore whose original is gone for good
    await fs.rm(path.join(copy, 'corestore', 'CORESTORE'))
    const again = onsetJson(copy, ['status'])
    expect(again.code, again.err).toBe(0)
    expect(again.j.production.name).toBe('Moved')
  }, 60_000)
})
