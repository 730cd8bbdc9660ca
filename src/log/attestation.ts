/**
 * Attestations: how a read-only member (post) or a blind one (vault) proves what it holds.
 * "Peer P holds file F (card, path) of size S with hashes H, verified at T", signed by P.
 *
 * Signed layout (domain "attestation", crypto/sign.ts), every field length-prefixed (u32 BE):
 *   lp(production key hex) lp(peer key hex) lp(card) lp(path) u64 size
 *   lp(hashes as "algo=value" joined by ";", algorithms in HASH_ALGOS order) u64 verifiedAt
 *   lp(mode: "plaintext" (decrypted and re-hashed) | "ciphertext" (blind: Merkle-verified only))
 * Wire/storage form: base64 of that layout followed by the 64-byte signature.
 * Any writer can record one (`attestation.recorded`); apply() verifies it against P's key and
 * that P is a member, and anyone can re-verify it from the view.
 */
import { OnsetError } from '../base/errors.ts'
import { lp, u64be } from '../crypto/bytes.ts'
import { HASH_ALGOS, type FileHashes, type HashAlgo } from '../crypto/hashes.ts'
import type { Identity } from '../crypto/identity.ts'
import { CardId, PeerKey, ProductionKey } from '../crypto/ids.ts'
import { sign, verify } from '../crypto/sign.ts'

export interface Attestation {
  production: ProductionKey
  peer: PeerKey
  card: CardId
  path: string
  size: number
  hashes: FileHashes
  verifiedAt: number
  mode: 'plaintext' | 'ciphertext'
}

function hashText(h: FileHashes): string {
  return HASH_ALGOS.filter((a) => h[a] !== undefined).map((a) => `${a}=${h[a]}`).join(';')
}

function layout(a: Attestation): Buffer {
  return Buffer.concat([lp(a.production), lp(a.peer), lp(a.card), lp(a.path), u64be(a.size), lp(hashText(a.hashes)), u64be(a.verifiedAt), lp(a.mode)])
}

export function signAttestation(id: Identity, a: Omit<Attestation, 'peer'>): string {
  const full: Attestation = { ...a, peer: id.peerKey }
  const body = layout(full)
  return Buffer.concat([body, sign(id, 'attestation', body)]).toString('base64')
}

const bad = (why: string) => new OnsetError('MALFORMED', `invalid attestation: ${why}`)

function readLp(b: Buffer, off: { o: number }): string {
  if (off.o + 4 > b.length) throw bad('truncated')
  const n = b.readUInt32BE(off.o)
  off.o += 4
  if (n > 8192 || off.o + n > b.length) throw bad('truncated')
  const s = b.subarray(off.o, off.o + n).toString('utf8')
  off.o += n
  return s
}

function readU64(b: Buffer, off: { o: number }): number {
  if (off.o + 8 > b.length) throw bad('truncated')
  const v = Number(b.readBigUInt64BE(off.o))
  off.o += 8
  if (!Number.isSafeInteger(v)) throw bad('number out of range')
  return v
}

/** Decode and verify the signature; throws MALFORMED / BAD_SIGNATURE. */
export function openAttestation(text: string): Attestation {
  const b = Buffer.from(text, 'base64')
  if (b.length < 64 + 40) throw bad('truncated')
  const body = b.subarray(0, b.length - 64)
  const sig = b.subarray(b.length - 64)
  const off = { o: 0 }
  const production = readLp(body, off)
  const peer = readLp(body, off)
  const card = readLp(body, off)
  const path = readLp(body, off)
  const size = readU64(body, off)
  const hashes: FileHashes = {}
  const ht = readLp(body, off)
  for (const part of ht ? ht.split(';') : []) {
    const [a, v] = part.split('=')
    if (!a || !v || !(HASH_ALGOS as readonly string[]).includes(a)) throw bad('malformed hashes')
    hashes[a as HashAlgo] = v
  }
  const verifiedAt = readU64(body, off)
  const mode = readLp(body, off)
  if (off.o !== body.length) throw bad('trailing bytes')
  if (!ProductionKey.is(production) || !PeerKey.is(peer) || !CardId.is(card) || path.length === 0) throw bad('malformed fields')
  if (mode !== 'plaintext' && mode !== 'ciphertext') throw bad('unknown mode')
  const a: Attestation = { production, peer, card, path, size, hashes, verifiedAt, mode }
  if (!layout(a).equals(body)) throw bad('non-canonical encoding')
  if (!verify(PeerKey.toBytes(peer), 'attestation', body, sig)) throw new OnsetError('BAD_SIGNATURE', `attestation signature by ${PeerKey.short(peer)} does not verify`)
  return a
}
