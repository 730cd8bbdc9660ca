import { createReadStream } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { hashStream } from '../../crypto/hashes.ts'
import { directoryHashes, hashTextToBytes } from './dirhash.ts'
import { readHistory } from './read.ts'

const SAMPLES = new URL('../../../test/fixtures/ascmhl/samples/', import.meta.url).pathname

describe('ASC MHL directory hashes', () => {
  it('reproduce the values ascmhl.py wrote, recomputed from the sample files on disk (xxh64 and md5)', async () => {
    let compared = 0
    for (const card of ['scenario_01/travel_01/A002R2EC', 'scenario_02/file_server/A002R2EC', 'scenario_03/file_server/A002R2EC']) {
      const root = path.join(SAMPLES, card)
      const h = await readHistory(root)
      for (const g of h.generations) {
        const algos = Object.keys(g.processInfo.rootHash?.content ?? {}) as ('xxh64' | 'md5')[]
        expect(algos.length).toBeGreaterThan(0)
        for (const algo of algos) {
          // hash the files themselves, not the recorded values
          const files = await Promise.all(g.files.map(async (f) => ({ path: f.path, hash: (await hashStream(createReadStream(path.join(root, f.path)), [algo]))[algo]! })))
          const m = await directoryHashes(algo, files)
          expect(m.get('')).toEqual({ content: g.processInfo.rootHash!.content[algo], structure: g.processInfo.rootHash!.structure[algo] })
          for (const d of g.directories) {
            expect(m.get(d.path)).toEqual({ content: d.content[algo], structure: d.structure[algo] })
            compared++
          }
        }
      }
    }
    expect(compared).toBe(5) // Clips in 1 + 2 + 2 generations
  })

  it('the md5 values of scenario 03 and the xxh64 values of scenario 01, as the log prints them', async () => {
    const files = [
      { path: 'Clips/A002C006_141024_R2EC.mov', x: '0ea03b369a463d9d', m: 'f5ac8127b3b6b85cdc13f237c6005d80' },
      { path: 'Clips/A002C007_141024_R2EC.mov', x: '7680e5f98f4a80fd', m: '614dd0e977becb4c6f7fa99e64549b12' },
      { path: 'Sidecar.txt', x: '3ab5a4166b9bde44', m: '6425c5a180ca0f420dd2b25be4536a91' },
    ]
    const x = await directoryHashes('xxh64', files.map((f) => ({ path: f.path, hash: f.x })))
    expect(x.get('Clips')).toEqual({ content: '4c226b42e27d7af3', structure: '906faa843d591a9f' })
    expect(x.get('')).toEqual({ content: '8d02114c32e28cbe', structure: 'f557f8ca8e5a88ef' })
    const m = await directoryHashes('md5', files.map((f) => ({ path: f.path, hash: f.m })))
    expect(m.get('Clips')).toEqual({ content: '202a2d71b56b080d9b089c1f4f29a4ba', structure: '4a739024fd19d928e9dea6bb5c480200' })
    expect(m.get('')).toEqual({ content: '6fae2da9bc6dca45486cb91bfea6db70', structure: 'be1f2eaed208efbed061845a64cacdfa' })
  })

  it('an empty directory hashes the empty input; names change the structure hash only', async () => {
    const e = await directoryHashes('md5', [], ['empty'])
    expect(e.get('empty')).toEqual({ content: 'd41d8cd98f00b204e9800998ecf8427e', structure: 'd41d8cd98f00b204e9800998ecf8427e' })
    const a = await directoryHashes('xxh64', [{ path: 'd/a', hash: '0000000000000001' }])
    const b = await directoryHashes('xxh64', [{ path: 'd/b', hash: '0000000000000001' }])
    expect(a.get('d')!.content).toBe(b.get('d')!.content)
    expect(a.get('d')!.structure).not.toBe(b.get('d')!.structure)
  })

  it('c4 texts decode to the 64 SHA-512 bytes behind them', async () => {
    const { c4FromSha512 } = await import('../../crypto/hashes.ts')
    const digest = Buffer.alloc(64, 0)
    digest[63] = 7
    expect(hashTextToBytes('c4', c4FromSha512(digest))).toEqual(digest)
    const c4dirs = await directoryHashes('c4', [{ path: 'a', hash: c4FromSha512(digest) }])
    expect(c4dirs.get('')!.content).toMatch(/^c4[1-9A-HJ-NP-Za-km-z]{88}$/)
  })
})
