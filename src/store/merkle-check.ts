/**
 * Checking a stored block against its core's Merkle tree, without the data key.
 *
 * Hypercore's tree (flat-tree indexing: block i is leaf node 2i) hashes, with BLAKE2b-256:
 *   leaf    0x00 ‖ u64le(byte length) ‖ block as stored (8-byte padding ‖ ciphertext when encrypted)
 *   parent  0x01 ‖ u64le(left.size + right.size) ‖ left.hash ‖ right.hash   (left = lower index)
 * and the writer signs the hash of the roots. Hypercore checks every block it receives against
 * that signed tree; at rest nothing re-checks it. `checkBlock` re-hashes the block as it is on
 * disk now, climbs its Merkle path (the sibling nodes `core.proof()` reads from local storage)
 * and compares the result with the stored root that covers it, so a flipped byte in the block
 * is found by a peer that cannot decrypt it. It does not re-check the writer's signature over
 * the roots (that was checked when the roots arrived).
 */
import type Hypercore from 'hypercore'
import { blake2b256 } from '../crypto/hashes.ts'

interface Node { index: number, size: number, hash: Buffer }

const u64le = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b }

function leafHash(block: Uint8Array): Buffer {
  return blake2b256(Buffer.concat([Buffer.from([0]), u64le(block.byteLength), block]))
}

function parentOf(a: Node, b: Node): Node {
  const [l, r] = a.index < b.index ? [a, b] : [b, a]
  return { index: (l.index + r.index) / 2, size: l.size + r.size, hash: blake2b256(Buffer.concat([Buffer.from([1]), u64le(l.size + r.size), l.hash, r.hash])) }
}

/** The stored roots of a core at `length`, by node index. */
export async function storedRoots(core: Hypercore, length: number): Promise<Map<number, Node>> {
  const p = await core.proof({ upgrade: { start: 0, length } })
  return new Map((p.upgrade?.nodes ?? []).map((n) => [n.index, n]))
}

export type BlockCheck = { ok: true } | { ok: false, problem: 'missing' | 'corrupt', detail: string }

/** Check block `index` (below `length`) as stored against the Merkle roots of `length`. */
export async function checkBlock(core: Hypercore, index: number, length: number, roots: Map<number, Node>): Promise<BlockCheck> {
  let p
  try {
    p = await core.proof({ block: { index, nodes: 0 }, upgrade: { start: 0, length } })
  } catch (err) {
    // RocksDB's own checksums (e.g. "Blob CRC mismatch") fail the read itself
    return { ok: false, problem: 'corrupt', detail: `block ${index} could not be read: ${(err as Error).message}` }
  }
  const value = p.block?.value
  if (!p.block || !value) return { ok: false, problem: 'missing', detail: `block ${index} is not on disk` }
  let node: Node = { index: 2 * index, size: value.byteLength, hash: leafHash(value) }
  for (const sib of p.block.nodes) node = parentOf(node, sib)
  const root = roots.get(node.index)
  if (!root) return { ok: false, problem: 'corrupt', detail: `block ${index}: its Merkle path does not end at a stored root (node ${node.index})` }
  if (root.size !== node.size || !root.hash.equals(node.hash)) {
    return { ok: false, problem: 'corrupt', detail: `block ${index} does not match the core's Merkle tree: damaged on disk` }
  }
  return { ok: true }
}
