// Narrow declarations for the parts of sodium-native 5.x onset uses (only src/crypto imports it).
declare module 'sodium-native' {
  type Bytes = Uint8Array
  const sodium: {
    crypto_sign_PUBLICKEYBYTES: number
    crypto_sign_SECRETKEYBYTES: number
    crypto_sign_SEEDBYTES: number
    crypto_sign_BYTES: number
    crypto_box_SEALBYTES: number
    crypto_box_PUBLICKEYBYTES: number
    crypto_box_SECRETKEYBYTES: number
    crypto_generichash_STATEBYTES: number
    crypto_pwhash_SALTBYTES: number
    crypto_pwhash_ALG_ARGON2ID13: number
    crypto_pwhash_OPSLIMIT_INTERACTIVE: number
    crypto_pwhash_MEMLIMIT_INTERACTIVE: number
    crypto_pwhash_OPSLIMIT_MODERATE: number
    crypto_pwhash_MEMLIMIT_MODERATE: number
    crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number
    crypto_aead_xchacha20poly1305_ietf_ABYTES: number
    randombytes_buf(buf: Bytes): void
    randombytes_buf_deterministic(buf: Bytes, seed: Bytes): void
    sodium_memzero(buf: Bytes): void
    sodium_memcmp(a: Bytes, b: Bytes): boolean
    crypto_sign_keypair(pk: Bytes, sk: Bytes): void
    crypto_sign_seed_keypair(pk: Bytes, sk: Bytes, seed: Bytes): void
    crypto_sign_detached(sig: Bytes, msg: Bytes, sk: Bytes): void
    crypto_sign_verify_detached(sig: Bytes, msg: Bytes, pk: Bytes): boolean
    crypto_sign_ed25519_pk_to_curve25519(x: Bytes, ed: Bytes): void
    crypto_sign_ed25519_sk_to_curve25519(x: Bytes, ed: Bytes): void
    crypto_box_seal(c: Bytes, m: Bytes, pk: Bytes): void
    crypto_box_seal_open(m: Bytes, c: Bytes, pk: Bytes, sk: Bytes): boolean
    crypto_generichash(out: Bytes, input: Bytes, key?: Bytes): void
    crypto_generichash_init(state: Bytes, key: Bytes | null, outLen: number): void
    crypto_generichash_update(state: Bytes, input: Bytes): void
    crypto_generichash_final(state: Bytes, out: Bytes): void
    crypto_pwhash(out: Bytes, passwd: Bytes, salt: Bytes, opslimit: number, memlimit: number, alg: number): void
    crypto_pwhash_async(out: Bytes, passwd: Bytes, salt: Bytes, opslimit: number, memlimit: number, alg: number): Promise<void>
    crypto_aead_xchacha20poly1305_ietf_encrypt(c: Bytes, m: Bytes, ad: Bytes | null, nsec: null, npub: Bytes, k: Bytes): number
    crypto_aead_xchacha20poly1305_ietf_decrypt(m: Bytes, nsec: null, c: Bytes, ad: Bytes | null, npub: Bytes, k: Bytes): number
  }
  export = sodium
}
