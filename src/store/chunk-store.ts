/**
 * The vault's interface: content-addressed, encrypted chunks.
 *
 * A chunk is a piece of a file (default 1 MiB; the last piece of a file may be shorter, an
 * empty file has no chunks) addressed by its ChunkId = keyed BLAKE2b-256 of the plaintext
 * (crypto/hashes.ts chunkId with the production's chunk-id key). Where a chunk lives is a
 * ChunkRef: the blobs core that holds it (hex key) and the block index in that core.
 *
 * Every implementation must: store identical plaintext once (put returns the existing ref),
 * check each chunk after writing and after every read (decrypt, re-hash, compare to its id),
 * and report damage as OnsetError('CHUNK_CORRUPT') naming the chunk.
 */
import type { ChunkId } from '../crypto/ids.ts'

export const DEFAULT_CHUNK_SIZE = 1024 * 1024

export interface ChunkRef {
  /** keyed BLAKE2b-256 of the plaintext */
  id: ChunkId
  /** hex key of the blobs core that holds the (encrypted) block */
  core: string
  /** block index in that core */
  block: number
  /** plaintext length in bytes */
  size: number
  /** data-key epoch the block was written under (default: 0) */
  epoch?: number
}

export interface ChunkStore {
  /** Store one plaintext chunk; identical plaintext is stored once. Verified after writing. */
  put(plaintext: Uint8Array): Promise<ChunkRef>
  /** Read one chunk and verify it against its id; throws OnsetError CHUNK_CORRUPT on mismatch. */
  get(ref: ChunkRef, opts?: { timeout?: number }): Promise<Buffer>
  /** Whether this store holds the chunk locally. */
  has(id: ChunkId): Promise<boolean>
  /** Where this store holds the chunk, or null. */
  lookup(id: ChunkId): Promise<ChunkRef | null>
  /** Make everything put so far durable on disk. */
  flush(): Promise<void>
  close(): Promise<void>
  /** Check every chunk this store holds; returns the refs that are damaged or missing. */
  verifyAll(): Promise<ChunkProblem[]>
}

export interface ChunkProblem {
  ref: ChunkRef
  problem: 'corrupt' | 'missing'
  detail: string
}
