/**
 * Branded identifiers. Each has a canonical text form (`format`), a checked parser (`parse*`,
 * throwing OnsetError('BAD_ARGUMENT') with a clear message) and a short form for humans.
 *
 *  PeerKey        a peer's Ed25519 public key, 64 lowercase hex chars; short form: first 8
 *  ProductionKey  the production's Autobase key, 64 lowercase hex chars; short form: first 8
 *  ChunkId        keyed BLAKE2b-256 of a chunk's plaintext, 64 lowercase hex chars; short: first 12
 *  CardId         a camera card / reel name as the crew writes it (A001, A002R2EC), 1-64 chars of
 *                 [A-Za-z0-9_.-], not starting with '.'
 */
import { OnsetError } from '../base/errors.ts'
import { fromHex, isHex, toHex } from './bytes.ts'

declare const brand: unique symbol
export type Brand<T, B extends string> = T & { readonly [brand]: B }

export type PeerKey = Brand<string, 'PeerKey'>
export type ProductionKey = Brand<string, 'ProductionKey'>
export type ChunkId = Brand<string, 'ChunkId'>
export type CardId = Brand<string, 'CardId'>

function parseHexKey<T>(what: string, s: string): T {
  const v = s.trim().toLowerCase()
  if (!isHex(v, 32)) throw new OnsetError('BAD_ARGUMENT', `not a ${what}: expected 64 hex characters, got "${s.length > 80 ? s.slice(0, 80) + '…' : s}"`)
  return v as T
}

export const PeerKey = {
  parse: (s: string): PeerKey => parseHexKey<PeerKey>('peer key', s),
  fromBytes: (b: Uint8Array): PeerKey => {
    if (b.byteLength !== 32) throw new Error(`peer key must be 32 bytes, got ${b.byteLength}`)
    return toHex(b) as PeerKey
  },
  toBytes: (k: PeerKey): Buffer => fromHex(k),
  short: (k: PeerKey): string => k.slice(0, 8),
  is: (s: unknown): s is PeerKey => typeof s === 'string' && isHex(s, 32),
}

export const ProductionKey = {
  parse: (s: string): ProductionKey => parseHexKey<ProductionKey>('production key', s),
  fromBytes: (b: Uint8Array): ProductionKey => {
    if (b.byteLength !== 32) throw new Error(`production key must be 32 bytes, got ${b.byteLength}`)
    return toHex(b) as ProductionKey
  },
  toBytes: (k: ProductionKey): Buffer => fromHex(k),
  short: (k: ProductionKey): string => k.slice(0, 8),
  is: (s: unknown): s is ProductionKey => typeof s === 'string' && isHex(s, 32),
}

export const ChunkId = {
  parse: (s: string): ChunkId => parseHexKey<ChunkId>('chunk id', s),
  fromBytes: (b: Uint8Array): ChunkId => {
    if (b.byteLength !== 32) throw new Error(`chunk id must be 32 bytes, got ${b.byteLength}`)
    return toHex(b) as ChunkId
  },
  toBytes: (k: ChunkId): Buffer => fromHex(k),
  short: (k: ChunkId): string => k.slice(0, 12),
  is: (s: unknown): s is ChunkId => typeof s === 'string' && isHex(s, 32),
}

const CARD_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/

export const CardId = {
  parse: (s: string): CardId => {
    if (!CARD_RE.test(s)) throw new OnsetError('BAD_ARGUMENT', `not a card name: "${s.slice(0, 80)}" (use 1-64 letters, digits, '_', '-', '.', e.g. A001)`)
    return s as CardId
  },
  short: (c: CardId): string => c,
  is: (s: unknown): s is CardId => typeof s === 'string' && CARD_RE.test(s),
}
