import { describe, expect, it } from 'vitest'
import { chunkStoreSuite } from './chunk-store.suite.ts'
import { MemoryChunkStore } from './memory-chunk-store.ts'

const key = Buffer.alloc(32, 7)
chunkStoreSuite({
  name: 'memory',
  chunkIdKey: key,
  open: async () => new MemoryChunkStore({ chunkIdKey: key }),
  damage: async (s, ref) => { (s as MemoryChunkStore).damage(ref, 'flip'); return s },
})

describe('MemoryChunkStore damage', () => {
  it('verifyAll names flipped and dropped chunks', async () => {
    const s = new MemoryChunkStore({ chunkIdKey: key })
    const a = await s.put(Buffer.from('aaaa'))
    const b = await s.put(Buffer.from('bbbb'))
    s.damage(a, 'flip')
    s.damage(b, 'drop')
    const problems = await s.verifyAll()
    expect(problems.map((p) => [p.ref.id, p.problem])).toEqual([[a.id, 'corrupt'], [b.id, 'missing']])
  })
})
