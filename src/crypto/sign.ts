/**
 * Domain-separated Ed25519 signatures. A signature is always over
 *
 *     "onset/sig/v1" 0x00 <domain ascii> 0x00 <payload bytes>
 *
 * where the payload is the explicit byte layout of the signed thing (built with `lp()` length
 * prefixes and fixed-width integers, never JSON). Because the domain is part of the message, a
 * signature made for one purpose never verifies for another.
 */
import sodium from 'sodium-native'
import type { Identity } from './identity.ts'

export const SIGN_DOMAINS = [
  'attestation', // post/vault proves it holds a file: see log/attestation
  'invite', // an admin-signed invite token
  'join-proof', // a joiner proves it holds an invite's one-time secret and its identity key
  'writer-binding', // a member binds its Autobase writer core to its identity: see log/events.ts
  'control', // reserved for signed control messages between peers
  'kat', // known-answer vectors only
] as const
export type SignDomain = (typeof SIGN_DOMAINS)[number]

const PREFIX = Buffer.from('onset/sig/v1\0', 'ascii')

export function signedMessage(domain: SignDomain, payload: Uint8Array): Buffer {
  if (!SIGN_DOMAINS.includes(domain)) throw new Error(`unknown signature domain ${domain}`)
  return Buffer.concat([PREFIX, Buffer.from(domain + '\0', 'ascii'), payload])
}

export function sign(id: Identity, domain: SignDomain, payload: Uint8Array): Buffer {
  const sig = Buffer.alloc(sodium.crypto_sign_BYTES)
  sodium.crypto_sign_detached(sig, signedMessage(domain, payload), id.secretKey)
  return sig
}

export function verify(publicKey: Uint8Array, domain: SignDomain, payload: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.byteLength !== 32 || signature.byteLength !== sodium.crypto_sign_BYTES) return false
  return sodium.crypto_sign_verify_detached(signature, signedMessage(domain, payload), publicKey)
}
