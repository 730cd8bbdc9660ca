/**
 * Hashes.
 *
 * - Chunk ids: keyed BLAKE2b-256 of the chunk plaintext, keyed with the production's chunk-id
 *   key, so ids reveal nothing to someone without the key and identical chunks share one id.
 * - File hashes, all streaming (feed any number of buffers, constant memory), in the text forms
 *   ASC MHL writes:
 *     xxh64   16 lowercase hex, big-endian (canonical) form, seed 0
 *     xxh128  32 lowercase hex, canonical form (XXH3-128, seed 0)
 *     xxh3    16 lowercase hex, canonical form (XXH3-64, seed 0)
 *     md5     32 lowercase hex
 *     sha1    40 lowercase hex
 *     c4      "c4" + SHA-512 digest in base58 (alphabet 1-9A-HJ-NP-Za-km-z) left-padded with '1'
 *             to 88 characters: 90 characters in all
 */
import { createHash, type Hash } from 'node:crypto'
import sodium from 'sodium-native'
import { createXXHash128, createXXHash3, createXXHash64, type IHasher } from 'hash-wasm'
import { ChunkId } from './ids.ts'

export const HASH_ALGOS = ['xxh64', 'xxh128', 'xxh3', 'md5', 'sha1', 'c4'] as const
export type HashAlgo = (typeof HASH_ALGOS)[number]
export type FileHashes = Partial<Record<HashAlgo, string>>

/** onset always computes these; the others on request. */
export const DEFAULT_HASHES: readonly HashAlgo[] = ['xxh64', 'xxh128']

export function isHashAlgo(s: string): s is HashAlgo {
  return (HASH_ALGOS as readonly string[]).includes(s)
}

export function chunkId(chunkIdKey: Uint8Array, plaintext: Uint8Array): ChunkId {
  const out = Buffer.alloc(32)
  sodium.crypto_generichash(out, plaintext, chunkIdKey)
  return ChunkId.fromBytes(out)
}

/** BLAKE2b-256, unkeyed or keyed, one shot. */
export function blake2b256(data: Uint8Array, key?: Uint8Array): Buffer {
  const out = Buffer.alloc(32)
  if (key) sodium.crypto_generichash(out, data, key)
  else sodium.crypto_generichash(out, data)
  return out
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** c4 id text of a SHA-512 digest. */
export function c4FromSha512(digest: Uint8Array): string {
  let n = BigInt('0x' + Buffer.from(digest).toString('hex'))
  let s = ''
  while (n > 0n) {
    s = B58[Number(n % 58n)] + s
    n /= 58n
  }
  return 'c4' + s.padStart(88, '1')
}

interface Part {
  update(b: Uint8Array): void
  digest(): string
}

/**
 * WebAssembly hashers are costly to create (a compiled instance with its own memory): keep the
 * finished ones and re-init them, so hashing tens of thousands of small files does not churn
 * the garbage collector.
 */
type WasmAlgo = 'xxh64' | 'xxh128' | 'xxh3'
const pool: Record<WasmAlgo, IHasher[]> = { xxh64: [], xxh128: [], xxh3: [] }
const POOL_MAX = 16

async function wasmHasher(a: WasmAlgo): Promise<IHasher> {
  const h = pool[a].pop() ?? await (a === 'xxh64' ? createXXHash64() : a === 'xxh128' ? createXXHash128() : createXXHash3())
  h.init()
  return h
}

function wasmPart(a: WasmAlgo, h: IHasher): Part {
  let done = false
  return {
    update: (b) => { if (done) throw new Error('bug: update after digest'); h.update(b) },
    digest: () => {
      if (done) throw new Error('bug: a hasher is digested once')
      done = true
      const d = h.digest('hex')
      if (pool[a].length < POOL_MAX) pool[a].push(h)
      return d
    },
  }
}

function nodePart(h: Hash, fmt: (d: Buffer) => string): Part {
  return { update: (b) => { h.update(b) }, digest: () => fmt(h.digest()) }
}

/** A streaming multi-hash: one pass over the bytes feeds every requested algorithm. */
export class FileHasher {
  readonly algos: readonly HashAlgo[]
  private readonly parts: Map<HashAlgo, Part>
  private bytes = 0

  private constructor(algos: readonly HashAlgo[], parts: Map<HashAlgo, Part>) {
    this.algos = algos
    this.parts = parts
  }

  static async create(algos: readonly HashAlgo[] = DEFAULT_HASHES): Promise<FileHasher> {
    const parts = new Map<HashAlgo, Part>()
    for (const a of new Set(algos)) {
      switch (a) {
        case 'xxh64': case 'xxh128': case 'xxh3': parts.set(a, wasmPart(a, await wasmHasher(a))); break
        case 'md5': parts.set(a, nodePart(createHash('md5'), (d) => d.toString('hex'))); break
        case 'sha1': parts.set(a, nodePart(createHash('sha1'), (d) => d.toString('hex'))); break
        case 'c4': parts.set(a, nodePart(createHash('sha512'), c4FromSha512)); break
        default: throw new Error(`unknown hash ${String(a)}`)
      }
    }
    return new FileHasher([...parts.keys()], parts)
  }

  update(b: Uint8Array): void {
    this.bytes += b.byteLength
    for (const p of this.parts.values()) p.update(b)
  }

  get length(): number { return this.bytes }

  digest(): FileHashes {
    const out: FileHashes = {}
    for (const [a, p] of this.parts) out[a] = p.digest()
    return out
  }
}

/** Hash a whole buffer (tests, small files, vectors). */
export async function hashBytes(data: Uint8Array, algos: readonly HashAlgo[] = HASH_ALGOS): Promise<FileHashes> {
  const h = await FileHasher.create(algos)
  h.update(data)
  return h.digest()
}

/** Hash a stream of buffers (e.g. fs.createReadStream) with constant memory. */
export async function hashStream(src: AsyncIterable<Uint8Array>, algos: readonly HashAlgo[] = DEFAULT_HASHES): Promise<FileHashes & { bytes: number }> {
  const h = await FileHasher.create(algos)
  for await (const b of src) h.update(b)
  return { ...h.digest(), bytes: h.length }
}

/** Compare the hashes two records share; returns the algorithms that disagree. */
export function hashMismatches(a: FileHashes, b: FileHashes): HashAlgo[] {
  const bad: HashAlgo[] = []
  for (const k of HASH_ALGOS) {
    const x = a[k], y = b[k]
    if (x !== undefined && y !== undefined && x.toLowerCase() !== y.toLowerCase()) bad.push(k)
  }
  return bad
}
