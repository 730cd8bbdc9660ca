/**
 * An in-memory ChunkStore for fast tests of code above the interface. It keeps the same
 * contract as the Hypercore store (content addressing, dedup, verify on read) and lets a test
 * damage a chunk to exercise the failure paths.
 */
import { OnsetError } from '../base/errors.ts'
import { chunkId } from '../crypto/hashes.ts'
import { ChunkId } from '../crypto/ids.ts'
import type { ChunkProblem, ChunkRef, ChunkStore } from './chunk-store.ts'

export class MemoryChunkStore implements ChunkStore {
  readonly core: string
  private readonly chunkIdKey: Buffer
  private readonly blocks: (Buffer | null)[] = []
  private readonly index = new Map<ChunkId, ChunkRef>()
  private closed = false

  constructor(opts: { chunkIdKey: Uint8Array, core?: string }) {
    this.chunkIdKey = Buffer.from(opts.chunkIdKey)
    this.core = opts.core ?? '00'.repeat(32)
  }

  async put(plaintext: Uint8Array): Promise<ChunkRef> {
    if (this.closed) throw new Error('store is closed')
    const id = chunkId(this.chunkIdKey, plaintext)
    const have = this.index.get(id)
    if (have) return have
    const ref: ChunkRef = { id, core: this.core, block: this.blocks.length, size: plaintext.byteLength, epoch: 0 }
    this.blocks.push(Buffer.from(plaintext))
    this.index.set(id, ref)
    return ref
  }

  async get(ref: ChunkRef): Promise<Buffer> {
    if (ref.core !== this.core) throw new OnsetError('NOT_FOUND', `chunk ${ChunkId.short(ref.id)} is in core ${ref.core.slice(0, 8)}, not held here`)
    const b = this.blocks[ref.block]
    if (!b) throw new OnsetError('CHUNK_CORRUPT', `chunk ${ChunkId.short(ref.id)} (block ${ref.block}) is missing`)
    if (chunkId(this.chunkIdKey, b) !== ref.id) throw new OnsetError('CHUNK_CORRUPT', `chunk ${ChunkId.short(ref.id)} (block ${ref.block}) does not match its id`)
    return Buffer.from(b)
  }

  async has(id: ChunkId): Promise<boolean> {
    const r = this.index.get(id)
    return r !== undefined && this.blocks[r.block] !== null
  }

  async lookup(id: ChunkId): Promise<ChunkRef | null> {
    return this.index.get(id) ?? null
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> { this.closed = true }

  async verifyAll(): Promise<ChunkProblem[]> {
    const out: ChunkProblem[] = []
    for (const ref of this.index.values()) {
      try { await this.get(ref) } catch (err) {
        out.push({ ref, problem: this.blocks[ref.block] ? 'corrupt' : 'missing', detail: (err as Error).message })
      }
    }
    return out
  }

  /** Test hook: damage or drop a stored chunk. */
  damage(ref: ChunkRef, how: 'flip' | 'drop'): void {
    if (how === 'drop') this.blocks[ref.block] = null
    else { const b = this.blocks[ref.block]; if (b && b.length) b[0]! ^= 0xff }
  }
}
