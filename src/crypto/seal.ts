/**
 * Sealing a secret to a member's public key. The recipient's Ed25519 key is converted to X25519
 * and libsodium's sealed box (`crypto_box_seal`: an ephemeral X25519 key, XSalsa20-Poly1305) is
 * used, so only the holder of the matching Ed25519 secret key can open it, and a flipped byte
 * anywhere makes opening fail.
 *
 * Sealed layout: ephemeral pk (32) || MAC (16) || ciphertext (len(plaintext)).
 */
import sodium from 'sodium-native'
import { OnsetError } from '../base/errors.ts'
import type { Identity } from './identity.ts'

export function sealTo(recipientPublicKey: Uint8Array, plaintext: Uint8Array): Buffer {
  if (recipientPublicKey.byteLength !== 32) throw new Error('recipient key must be 32 bytes')
  const x = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES)
  sodium.crypto_sign_ed25519_pk_to_curve25519(x, recipientPublicKey)
  const out = Buffer.alloc(plaintext.byteLength + sodium.crypto_box_SEALBYTES)
  sodium.crypto_box_seal(out, plaintext, x)
  return out
}

export function openSealed(id: Identity, sealed: Uint8Array): Buffer {
  if (sealed.byteLength < sodium.crypto_box_SEALBYTES) {
    throw new OnsetError('SEAL_OPEN_FAILED', 'sealed secret is truncated')
  }
  const xpk = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES)
  const xsk = Buffer.alloc(sodium.crypto_box_SECRETKEYBYTES)
  sodium.crypto_sign_ed25519_pk_to_curve25519(xpk, id.publicKey)
  sodium.crypto_sign_ed25519_sk_to_curve25519(xsk, id.secretKey)
  const out = Buffer.alloc(sealed.byteLength - sodium.crypto_box_SEALBYTES)
  const ok = sodium.crypto_box_seal_open(out, sealed, xpk, xsk)
  sodium.sodium_memzero(xsk)
  if (!ok) throw new OnsetError('SEAL_OPEN_FAILED', 'cannot open sealed secret: not sealed to this peer, or damaged')
  return out
}
