/** Ed25519 identity key pairs: the same key is the peer's identity on every transport. */
import sodium from 'sodium-native'
import { PeerKey } from './ids.ts'

export interface Identity {
  readonly publicKey: Buffer // 32 bytes
  readonly secretKey: Buffer // 64 bytes (libsodium layout: seed || publicKey)
  readonly peerKey: PeerKey
}

export function identityFromSeed(seed: Uint8Array): Identity {
  if (seed.byteLength !== sodium.crypto_sign_SEEDBYTES) throw new Error('identity seed must be 32 bytes')
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES)
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES)
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
  return { publicKey, secretKey, peerKey: PeerKey.fromBytes(publicKey) }
}

export function generateIdentity(): Identity {
  return identityFromSeed(randomBytes(32))
}

/** The 32-byte seed, the only part a key file stores. */
export function identitySeed(id: Identity): Buffer {
  return id.secretKey.subarray(0, 32)
}

export function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n)
  sodium.randombytes_buf(b)
  return b
}

/** Deterministic bytes for tests and simulations (libsodium's ChaCha20-based generator). */
export function deterministicBytes(n: number, seed: Uint8Array): Buffer {
  const b = Buffer.alloc(n)
  sodium.randombytes_buf_deterministic(b, seed)
  return b
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && sodium.sodium_memcmp(a, b)
}

export function wipe(b: Uint8Array): void {
  sodium.sodium_memzero(b)
}

/** The key pair object shape Hypercore, Hyperswarm and secret-stream expect. */
export function hypercoreKeyPair(id: Identity): { publicKey: Buffer, secretKey: Buffer } {
  return { publicKey: id.publicKey, secretKey: id.secretKey }
}
