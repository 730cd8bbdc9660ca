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
import { checkBlock, storedRoots } from './merkle-check.ts'

/** A damaged or missing block found by verifyBlocks (no chunk id needed: blind stores use it). */
export interface BlockProblem { core: string, block: number, problem: 'corrupt' | 'missing', detail: string }

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
  /** open sessions by `<core hex>:<epoch>` (decrypting with that epoch's key) or `<core hex>:raw` (no key) */
  private readonly cores = new Map<string, Hypercore>()
  /** ids written but not yet in the index: concurrent puts of one chunk store it once */
  private readonly inflight = new Map<ChunkId, Promise<ChunkRef>>()
  /** chunks were appended since the last flush() */
  private dirty = false

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
    if (!this.dataKey) return null
    let key: Uint8Array
    try { key = this.dataKey(epoch) } catch (err) {
      throw new OnsetError('NOT_AUTHORIZED', `no data key for epoch ${epoch}: ${(err as Error).message}`, { hint: 'chunks written after a key rotation need that epoch\'s secret, sealed to current members' })
    }
    return { key }
  }

  private async ready(): Promise<void> {
    // the index is local state: encrypted under the epoch-0 data key (or a blind vault's own name)
    this.index = new Hyperbee(this.store.get({ name: 'chunk-index', encryption: this.encryption(0) }), { keyEncoding: 'utf-8', valueEncoding: 'json', extension: false })
    await this.index.ready()
    if (!this.blind) {
      this.own = this.store.get({ name: `blobs-${this.epoch}`, encryption: this.encryption(this.epoch) })
      await this.own.ready()
      this.cores.set(`${this.own.key.toString('hex')}:${this.epoch}`, this.own)
    }
  }

  /** Hex key of the blobs core this store writes to (null for a blind store). */
  get ownCore(): string | null { return this.blind ? null : this.own.key.toString('hex') }
  get ownLength(): number { return this.blind ? 0 : this.own.length }

  /**
   * Open (or return) a blobs core by key, for reading or replicating: a session that decrypts
   * with the data key of `epoch`, or (blind store, or `epoch: 'raw'`) one that never decrypts.
   * Sessions are cached per core and epoch, so a core first opened for another purpose is never
   * read with the wrong key.
   */
  async core(key: string, epoch: number | 'raw' = 0): Promise<Hypercore> {
    const mode = this.blind ? 'raw' : epoch
    const id = `${key}:${mode}`
    let c = this.cores.get(id)
    if (!c) {
      if (!/^[0-9a-f]{64}$/.test(key)) throw new OnsetError('MALFORMED', `not a core key: ${key.slice(0, 80)}`)
      c = this.store.get({ key: Buffer.from(key, 'hex'), encryption: mode === 'raw' ? null : this.encryption(mode) })
      this.cores.set(id, c)
      try { await c.ready() } catch (err) { this.cores.delete(id); await c.close().catch(() => {}); throw err }
    }
    return c
  }

  /** Any open session of a core (for reads that do not decrypt), else a raw one. */
  private async anySession(key: string): Promise<Hypercore> {
    for (const [id, c] of this.cores) if (id.startsWith(`${key}:`)) return c
    return this.core(key, 'raw')
  }

  /** The blobs cores this store has open (its own first): what the replication layer announces. */
  blobsCores(): { key: string, length: number, epoch: number | null, own: boolean }[] {
    const seen = new Map<string, { key: string, length: number, epoch: number | null, own: boolean }>()
    for (const [id, c] of this.cores) {
      const [key, mode] = id.split(':') as [string, string]
      if (seen.has(key)) continue
      seen.set(key, { key, length: c.length, epoch: mode === 'raw' ? null : Number(mode), own: !this.blind && c === this.own })
    }
    return [...seen.values()].sort((a, b) => Number(b.own) - Number(a.own))
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
    // dedup only against a block still on disk: a lost block would make this put "succeed" with
    // data nobody can read (found by sims/: a camera's identical sidecar after the disk lost its block)
    if (have && (await (await this.anySession(have.core)).has(have.block))) return have
    this.dirty = true
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
    const c = await this.anySession(core)
    try {
      return await c.get(block, { timeout: opts.timeout ?? this.timeout, decrypt: false })
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'REQUEST_TIMEOUT') throw new OnsetError('TIMEOUT', `block ${block} of core ${core.slice(0, 8)} did not arrive from any peer in time`)
      throw new OnsetError('CHUNK_CORRUPT', `block ${block} of core ${core.slice(0, 8)} could not be read: ${(err as Error).message}`)
    }
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

  /**
   * Make every chunk put so far durable. An append that resolved is in RocksDB's write-ahead log,
   * which rocksdb-native writes without fsync: it survives a crash of this process but not
   * necessarily a power cut. Flushing the memtable writes it into SST and BlobDB files, which
   * RocksDB syncs. The Corestore is shared (custody log too), so the flush covers both; it is a
   * no-op when nothing was put since the last flush.
   */
  async flush(): Promise<void> {
    if (!this.dirty) return
    this.dirty = false
    await this.store.storage.db.flush()
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
      const bad = await this.checkHeld(ref, c)
      if (bad) out.push({ ref, problem: 'corrupt', detail: bad })
    }
    return out
  }

  /** Check a held block: decrypt + re-hash against its id, or for a blind store against the Merkle tree. */
  private async checkHeld(ref: ChunkRef, c: Hypercore): Promise<string | null> {
    if (this.blind) {
      const r = await checkBlock(c, ref.block, c.length, await storedRoots(c, c.length))
      return r.ok ? null : r.detail
    }
    try { await this.get(ref, { timeout: 1 }); return null } catch (err) { return (err as Error).message }
  }

  /** Walk every indexed chunk: re-read, decrypt, re-hash (blind: check it against the Merkle tree). */
  async verifyAll(): Promise<ChunkProblem[]> {
    const out: ChunkProblem[] = []
    for await (const e of this.index.createReadStream({ gte: 'c/', lt: 'c/\uffff' })) {
      const v = e.value as IndexValue
      const ref: ChunkRef = { id: e.key.slice(2) as ChunkId, core: v.core, block: v.block, size: v.size, epoch: v.epoch }
      const c = await this.core(ref.core, ref.epoch ?? 0)
      if (!(await c.has(ref.block))) { out.push({ ref, problem: 'missing', detail: 'block not on disk' }); continue }
      const bad = await this.checkHeld(ref, c)
      if (bad) out.push({ ref, problem: 'corrupt', detail: bad })
    }
    return out
  }

  /**
   * Repair one damaged block: drop the local copy and fetch it again from a connected peer
   * (Hypercore verifies it against the writer's signed Merkle tree), then re-verify the plaintext.
   */
  async repair(ref: ChunkRef, opts: { timeout?: number } = {}): Promise<Buffer> {
    // refuse before clearing anything: a blind store could not check the plaintext afterwards
    if (this.blind) throw new OnsetError('NOT_AUTHORIZED', 'a blind vault repairs blocks, not chunks: use repairBlock(core, block)')
    const c = await this.core(ref.core, ref.epoch ?? 0)
    // works for our own core too: the Merkle tree stays, only the block is dropped and re-fetched
    await c.clear(ref.block)
    return this.get(ref, { timeout: opts.timeout ?? this.timeout })
  }

  /**
   * Walk every block of the given blobs cores (default: every core this store has open) and check
   * each held block against the core's Merkle tree (merkle-check.ts) — no data key needed, so a
   * blind vault verifies what it holds. `full`: a block below the core's length that is not held
   * is reported missing (a vault mirrors everything; other peers hold cores sparsely).
   */
  async verifyBlocks(opts: { cores?: string[], full?: boolean } = {}): Promise<{ checked: number, problems: BlockProblem[] }> {
    const problems: BlockProblem[] = []
    let checked = 0
    const keys = opts.cores ?? this.blobsCores().map((c) => c.key)
    for (const key of keys) {
      const c = await this.anySession(key)
      const length = c.length
      if (length === 0) continue
      const roots = await storedRoots(c, length)
      for (let i = 0; i < length; i++) {
        if (!(await c.has(i))) {
          if (opts.full) problems.push({ core: key, block: i, problem: 'missing', detail: `block ${i} of core ${key.slice(0, 8)} is not on disk` })
          continue
        }
        checked++
        const r = await checkBlock(c, i, length, roots)
        if (!r.ok) problems.push({ core: key, block: i, problem: r.problem, detail: `core ${key.slice(0, 8)}: ${r.detail}` })
      }
    }
    return { checked, problems }
  }

  /**
   * Repair one block without the data key: drop it and fetch it again from a connected peer
   * (Hypercore verifies it against the writer's signed tree on arrival), then re-check it.
   */
  async repairBlock(core: string, block: number, opts: { timeout?: number } = {}): Promise<void> {
    const c = await this.anySession(core)
    await c.clear(block)
    await this.getCiphertext(core, block, opts)
    const r = await checkBlock(c, block, c.length, await storedRoots(c, c.length))
    if (!r.ok) throw new OnsetError('CHUNK_CORRUPT', `core ${core.slice(0, 8)}: ${r.detail} even after re-fetching it`)
  }

  async close(): Promise<void> {
    for (const c of this.cores.values()) await c.close()
    this.cores.clear()
    await this.index.close()
  }
}
