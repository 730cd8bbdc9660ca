/**
 * The vault on Hypercore. Each peer writes its chunks into its own **blobs core** for the current
 * data-key epoch (`blobs-<epoch>` in the production's Corestore namespace), one chunk per block,
 * with Hypercore block encryption under that epoch's data key. The Merkle tree and signatures
 * cover the ciphertext, so a blind peer can replicate and verify blocks it cannot read; because
 * the cipher has no tag, every plaintext read is re-hashed and compared with its chunk id.
 *
 * A local index (a Hyperbee on the `chunk-index` core, encrypted with the epoch-0 data key)
 * maps chunk id → ref for dedup and lookups, and `b/<core>/<block>` → id for verification walks:
 *   c/<chunk id>                 { core, block, size, epoch }
 *   b/<core hex>/<block:12>      chunk id
 * It covers this peer's own chunks and every replicated chunk recorded with `recordReceived`.
 */
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import Hyperbee from 'hyperbee'
import { OnsetError } from '../base/errors.ts'
import { chunkId } from '../crypto/hashes.ts'
import { ChunkId } from '../crypto/ids.ts'
import type { ChunkProblem, ChunkRef, ChunkStore } from './chunk-store.ts'

export interface HypercoreChunkStoreOptions {
  /** the production's Corestore namespace (shared with the custody log) */
  store: Corestore
  chunkIdKey: Uint8Array
  /** the data key of an epoch; null for a blind (vault) store that never sees plaintext */
  dataKey: ((epoch: number) => Uint8Array) | null
  /** the epoch new chunks are written under */
  epoch: number
  /** how long get() waits for a block from peers, ms */
  timeout?: number
}

interface IndexValue { core: string, block: number, size: number, epoch: number }

const pad = (n: number) => String(n).padStart(12, '0')

export class HypercoreChunkStore implements ChunkStore {
  private readonly store: Corestore
  private readonly chunkIdKey: Buffer
  private readonly dataKey: ((epoch: number) => Uint8Array) | null
  readonly epoch: number
  private readonly timeout: number
  private own!: Hypercore
  private index!: Hyperbee<string, unknown>
  private readonly cores = new Map<string, Hypercore>()
  /** ids written but not yet in the index: concurrent puts of one chunk store it once */
  private readonly inflight = new Map<ChunkId, Promise<ChunkRef>>()

  private constructor(o: HypercoreChunkStoreOptions) {
    this.store = o.store
    this.chunkIdKey = Buffer.from(o.chunkIdKey)
    this.dataKey = o.dataKey
    this.epoch = o.epoch
    this.timeout = o.timeout ?? 30_000
  }

  static async open(o: HypercoreChunkStoreOptions): Promise<HypercoreChunkStore> {
    const s = new HypercoreChunkStore(o)
    await s.ready()
    return s
  }

  get blind(): boolean { return this.dataKey === null }

  private encryption(epoch: number): { key: Uint8Array } | null {
    return this.dataKey ? { key: this.dataKey(epoch) } : null
  }

  private async ready(): Promise<void> {
    // the index is local state: encrypted under the epoch-0 data key (or a blind vault's own name)
    this.index = new Hyperbee(this.store.get({ name: 'chunk-index', encryption: this.encryption(0) }), { keyEncoding: 'utf-8', valueEncoding: 'json', extension: false })
    await this.index.ready()
    if (!this.blind) {
      this.own = this.store.get({ name: `blobs-${this.epoch}`, encryption: this.encryption(this.epoch) })
      await this.own.ready()
      this.cores.set(this.own.key.toString('hex'), this.own)
    }
  }

  /** Hex key of the blobs core this store writes to (null for a blind store). */
  get ownCore(): string | null { return this.blind ? null : this.own.key.toString('hex') }
  get ownLength(): number { return this.blind ? 0 : this.own.length }

  /** Open (or return) a blobs core by key, for reading or replicating. */
  async core(key: string, epoch = 0): Promise<Hypercore> {
    let c = this.cores.get(key)
    if (!c) {
      c = this.store.get({ key: Buffer.from(key, 'hex'), encryption: this.encryption(epoch) })
      this.cores.set(key, c)
      await c.ready()
    }
    return c
  }

  async put(plaintext: Uint8Array): Promise<ChunkRef> {
    if (this.blind) throw new OnsetError('NOT_AUTHORIZED', 'a blind vault store cannot store plaintext')
    const id = chunkId(this.chunkIdKey, plaintext)
    const pending = this.inflight.get(id)
    if (pending) return pending
    const p = this.putNew(id, plaintext)
    this.inflight.set(id, p)
    try { return await p } finally { this.inflight.delete(id) }
  }

  private async putNew(id: ChunkId, plaintext: Uint8Array): Promise<ChunkRef> {
    const have = await this.lookup(id)
    if (have) return have
    const { length } = await this.own.append(Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength))
    const ref: ChunkRef = { id, core: this.own.key.toString('hex'), block: length - 1, size: plaintext.byteLength, epoch: this.epoch }
    // verify after writing: read the block back through decryption and re-hash it
    const back = await this.own.get(ref.block, { wait: false })
    if (!back || chunkId(this.chunkIdKey, back) !== id) {
      throw new OnsetError('CHUNK_CORRUPT', `chunk ${ChunkId.short(id)} did not read back intact right after writing (block ${ref.block})`, { hint: 'the disk holding the data directory may be failing' })
    }
    await this.addToIndex(ref)
    return ref
  }

  private async addToIndex(ref: ChunkRef): Promise<void> {
    const b = this.index.batch()
    await b.put(`c/${ref.id}`, { core: ref.core, block: ref.block, size: ref.size, epoch: ref.epoch ?? 0 } satisfies IndexValue)
    await b.put(`b/${ref.core}/${pad(ref.block)}`, ref.id)
    await b.flush()
  }

  /** Note a chunk received by replication (after it was verified) so dedup and verify see it. */
  async recordReceived(ref: ChunkRef): Promise<void> {
    if (!(await this.lookup(ref.id))) await this.addToIndex(ref)
  }

  async get(ref: ChunkRef, opts: { timeout?: number } = {}): Promise<Buffer> {
    if (this.blind) throw new OnsetError('NOT_AUTHORIZED', 'this is a blind vault: it holds ciphertext and cannot decrypt chunks', { hint: 'vault members never receive the production secrets' })
    const core = await this.core(ref.core, ref.epoch ?? 0)
    let block: Buffer | null
    try {
      block = await core.get(ref.block, { timeout: opts.timeout ?? this.timeout })
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'REQUEST_TIMEOUT' || /timeout/i.test((err as Error).message)) {
        throw new OnsetError('TIMEOUT', `chunk ${ChunkId.short(ref.id)} (core ${ref.core.slice(0, 8)} block ${ref.block}) did not arrive from any peer in time`)
      }
      throw new OnsetError('CHUNK_CORRUPT', `chunk ${ChunkId.short(ref.id)} (core ${ref.core.slice(0, 8)} block ${ref.block}) could not be read: ${(err as Error).message}`)
    }
    if (!block) throw new OnsetError('CHUNK_CORRUPT', `chunk ${ChunkId.short(ref.id)} (core ${ref.core.slice(0, 8)} block ${ref.block}) is missing`)
    if (block.byteLength !== ref.size || chunkId(this.chunkIdKey, block) !== ref.id) {
      throw new OnsetError('CHUNK_CORRUPT', `chunk ${ChunkId.short(ref.id)} (core ${ref.core.slice(0, 8)} block ${ref.block}) does not match its id: damaged on disk, or the wrong data key`, { hint: 'run `onset verify --vault` to repair it from a peer' })
    }
    return block
  }

  /** Raw block bytes as stored (ciphertext for blind stores), Merkle-verified when it came from a peer. */
  async getCiphertext(core: string, block: number, opts: { timeout?: number } = {}): Promise<Buffer | null> {
    const c = await this.core(core)
    return c.get(block, { timeout: opts.timeout ?? this.timeout, decrypt: false })
  }

  async has(id: ChunkId): Promise<boolean> {
    const ref = await this.lookup(id)
    if (!ref) return false
    const c = await this.core(ref.core, ref.epoch ?? 0)
    return c.has(ref.block)
  }

  async lookup(id: ChunkId): Promise<ChunkRef | null> {
    const e = await this.index.get(`c/${id}`)
    if (!e) return null
    const v = e.value as IndexValue
    return { id, core: v.core, block: v.block, size: v.size, epoch: v.epoch }
  }

  async flush(): Promise<void> {
    // Hypercore appends are durable once append() resolves (RocksDB WAL); nothing is buffered here
  }

  /**
   * Check the given refs (the custody log's chunk lists are the authority on what should be
   * here): missing when the block is not on disk, corrupt when it does not decrypt to its id.
   */
  async verifyRefs(refs: Iterable<ChunkRef>): Promise<ChunkProblem[]> {
    const out: ChunkProblem[] = []
    for (const ref of refs) {
      const c = await this.core(ref.core, ref.epoch ?? 0)
      if (ref.block >= c.length || !(await c.has(ref.block))) { out.push({ ref, problem: 'missing', detail: `block ${ref.block} of core ${ref.core.slice(0, 8)} is not on disk` }); continue }
      if (this.blind) continue
      try { await this.get(ref, { timeout: 1 }) } catch (err) {
        out.push({ ref, problem: 'corrupt', detail: (err as Error).message })
      }
    }
    return out
  }

  /** Walk every indexed chunk: re-read, decrypt, re-hash. */
  async verifyAll(): Promise<ChunkProblem[]> {
    const out: ChunkProblem[] = []
    for await (const e of this.index.createReadStream({ gte: 'c/', lt: 'c/\uffff' })) {
      const v = e.value as IndexValue
      const ref: ChunkRef = { id: e.key.slice(2) as ChunkId, core: v.core, block: v.block, size: v.size, epoch: v.epoch }
      const c = await this.core(ref.core, ref.epoch ?? 0)
      if (!(await c.has(ref.block))) { out.push({ ref, problem: 'missing', detail: 'block not on disk' }); continue }
      if (this.blind) continue
      try { await this.get(ref, { timeout: 1 }) } catch (err) {
        out.push({ ref, problem: 'corrupt', detail: (err as Error).message })
      }
    }
    return out
  }

  /**
   * Repair one damaged block: drop the local copy and fetch it again from a connected peer
   * (Hypercore verifies it against the writer's signed Merkle tree), then re-verify the plaintext.
   */
  async repair(ref: ChunkRef, opts: { timeout?: number } = {}): Promise<Buffer> {
    const c = await this.core(ref.core, ref.epoch ?? 0)
    // works for our own core too: the Merkle tree stays, only the block is dropped and re-fetched
    await c.clear(ref.block)
    return this.get(ref, { timeout: opts.timeout ?? this.timeout })
  }

  async close(): Promise<void> {
    for (const c of this.cores.values()) await c.close()
    this.cores.clear()
    await this.index.close()
  }
}
