// The conformance suite every ChunkStore implementation must pass.
import { describe, expect, it } from 'vitest'
import { OnsetError } from '../base/errors.ts'
import { chunkId } from '../crypto/hashes.ts'
import { deterministicBytes } from '../crypto/identity.ts'
import type { ChunkRef, ChunkStore } from './chunk-store.ts'

export interface SuiteFactory {
  name: string
  chunkIdKey: Buffer
  open(): Promise<ChunkStore>
  /** reopen the same store after close (durable stores only) */
  reopen?: () => Promise<ChunkStore>
  /**
   * Damage the stored bytes of one chunk by the lowest-level route the implementation has (for
   * Hypercore: flip a byte of the block in RocksDB's files on disk); returns the store to use
   * afterwards (it may have been closed and reopened to get past caches).
   */
  damage?: (store: ChunkStore, ref: ChunkRef) => Promise<ChunkStore>
}

export function chunkStoreSuite(f: SuiteFactory): void {
  describe(`ChunkStore conformance: ${f.name}`, () => {
    const data = (n: number, seed: number) => deterministicBytes(n, Buffer.alloc(32, seed))

    it('round trips chunks of every size, ids are keyed BLAKE2b of the plaintext', async () => {
      const s = await f.open()
      try {
        for (const [i, n] of [1, 17, 4096, 1024 * 1024].entries()) {
          const d = data(n, i + 1)
          const ref = await s.put(d)
          expect(ref.id).toBe(chunkId(f.chunkIdKey, d))
          expect(ref.size).toBe(n)
          expect((await s.get(ref)).equals(d)).toBe(true)
          expect(await s.has(ref.id)).toBe(true)
          expect(await s.lookup(ref.id)).toEqual(ref)
        }
      } finally { await s.close() }
    })

    it('stores identical plaintext once, also under concurrent puts', async () => {
      const s = await f.open()
      try {
        const d = data(1000, 9)
        const [a, b, c] = await Promise.all([s.put(d), s.put(d), s.put(Buffer.from(d))])
        expect(b).toEqual(a)
        expect(c).toEqual(a)
        const other = await s.put(data(1000, 10))
        expect(other.block).toBe(a.block + 1)
      } finally { await s.close() }
    })

    it('an empty chunk round trips and dedups', async () => {
      const s = await f.open()
      try {
        const ref = await s.put(new Uint8Array(0))
        expect(ref.size).toBe(0)
        expect(ref.id).toBe(chunkId(f.chunkIdKey, new Uint8Array(0)))
        expect((await s.get(ref)).length).toBe(0)
        expect(await s.put(Buffer.alloc(0))).toEqual(ref)
        expect(await s.verifyAll()).toEqual([])
      } finally { await s.close() }
    })

    it('put does not alter the caller\'s buffer, and a view into a larger buffer stores only its bytes', async () => {
      const s = await f.open()
      try {
        const big = data(10_000, 12)
        const view = big.subarray(1000, 3000)
        const before = Buffer.from(big)
        const ref = await s.put(view)
        expect(big.equals(before)).toBe(true)
        expect(ref.size).toBe(2000)
        expect((await s.get(ref)).equals(before.subarray(1000, 3000))).toBe(true)
      } finally { await s.close() }
    })

    it('unknown ids are not held', async () => {
      const s = await f.open()
      try {
        const id = chunkId(f.chunkIdKey, Buffer.from('never stored'))
        expect(await s.has(id)).toBe(false)
        expect(await s.lookup(id)).toBeNull()
        expect(await s.verifyAll()).toEqual([])
      } finally { await s.close() }
    })

    it('a ref whose id does not match the stored bytes is CHUNK_CORRUPT, never garbage', async () => {
      const s = await f.open()
      try {
        const ref = await s.put(data(500, 3))
        const wrong = { ...ref, id: chunkId(f.chunkIdKey, Buffer.from('something else')) }
        await expect(s.get(wrong)).rejects.toSatisfy((e: unknown) => e instanceof OnsetError && e.code === 'CHUNK_CORRUPT')
      } finally { await s.close() }
    })

    if (f.damage) {
      it('a flipped byte in the stored data is CHUNK_CORRUPT and verifyAll names exactly that chunk', async () => {
        let s = await f.open()
        try {
          const refs: ChunkRef[] = []
          for (let i = 0; i < 4; i++) refs.push(await s.put(data(64 * 1024, 40 + i)))
          s = await f.damage!(s, refs[2]!)
          for (const [i, r] of refs.entries()) {
            if (i === 2) await expect(s.get(r)).rejects.toSatisfy((e: unknown) => e instanceof OnsetError && e.code === 'CHUNK_CORRUPT')
            else expect((await s.get(r)).equals(data(64 * 1024, 40 + i))).toBe(true)
          }
          const problems = await s.verifyAll()
          expect(problems.map((p) => [p.ref.id, p.problem])).toEqual([[refs[2]!.id, 'corrupt']])
        } finally { await s.close() }
      })
    }

    if (f.reopen) {
      it('is durable across close and reopen', async () => {
        const s = await f.open()
        const d = data(3000, 4)
        const ref = await s.put(d)
        await s.close()
        const again = await f.reopen!()
        try {
          expect((await again.get(ref)).equals(d)).toBe(true)
          expect(await again.lookup(ref.id)).toEqual(ref)
          expect((await again.put(d))).toEqual(ref)
        } finally { await again.close() }
      })
    }
  })
}
