/**
 * Key files: a peer's identity and the production secrets it holds, at rest.
 * The format is documented in keys/README.md; in short, a UTF-8 JSON envelope:
 *
 *   {
 *     "onset": "keyfile", "version": 1,
 *     "peer": "<64 hex: the identity public key>",
 *     "protection": "argon2id" | "none",
 *     "kdf": { "alg": "argon2id13", "opslimit": n, "memlimit": n, "salt": "<32 hex>" },   argon2id only
 *     "cipher": "xchacha20poly1305-ietf", "nonce": "<48 hex>",                             argon2id only
 *     "payload": "<base64>",   AEAD ciphertext (argon2id) or the plaintext payload (none)
 *     "check": "<64 hex>"      none only: BLAKE2b-256 over header || payload, catches damage
 *   }
 *
 * The AEAD's associated data is the header (every field but payload, in a fixed byte layout),
 * so editing any field of a sealed file makes it fail to open. The payload is JSON:
 *   { "seed": "<64 hex>", "productions": [ { "key": "<64 hex>", "name": "...",
 *     "ns": "<64 hex>", "epochs": [[0, "<64 hex root secret>"], [1, "<64 hex>"], ...] } ] }
 *
 * Reading never changes the file. Writing is atomic: a temp file (mode 0600) in the same
 * directory, fsync, rename over the old file, fsync the directory.
 * Every key file must be mode 0600 or stricter (no group/other bits); anything else is refused.
 */
import { promises as fs } from 'node:fs'
import { atomicWriteFile } from '../base/atomic.ts'
import sodium from 'sodium-native'
import { OnsetError } from '../base/errors.ts'
import { fromBase64, fromHex, isHex, lp, toBase64, toHex } from './bytes.ts'
import { identityFromSeed, identitySeed, randomBytes, type Identity } from './identity.ts'
import { ProductionKey } from './ids.ts'
import { ProductionSecrets } from './secrets.ts'

export const KEYFILE_VERSION = 1
const MAX_KEYFILE_BYTES = 1024 * 1024

/** Argon2id cost presets. `moderate` is the default for people; `interactive` for tests and demos. */
export const KDF_PRESETS = {
  interactive: { opslimit: sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, memlimit: sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE },
  moderate: { opslimit: sodium.crypto_pwhash_OPSLIMIT_MODERATE, memlimit: sodium.crypto_pwhash_MEMLIMIT_MODERATE },
} as const
export type KdfPreset = keyof typeof KDF_PRESETS
/** Limits on costs read from a file, so a hostile key file cannot exhaust memory. */
const MAX_OPSLIMIT = 16
const MAX_MEMLIMIT = 1024 * 1024 * 1024

export interface HeldProduction {
  key: ProductionKey
  name: string
  secrets: ProductionSecrets
  /** the Corestore namespace (64 hex) this peer keeps the production's cores under; defaults to the key */
  ns: string
}

export interface KeyFileContents {
  identity: Identity
  productions: HeldProduction[]
}

/** `null` passphrase = explicitly unprotected (the user chose --no-passphrase). */
export type Passphrase = string | null

interface Envelope {
  onset: 'keyfile'
  version: number
  peer: string
  protection: 'argon2id' | 'none'
  kdf?: { alg: 'argon2id13', opslimit: number, memlimit: number, salt: string }
  cipher?: 'xchacha20poly1305-ietf'
  nonce?: string
  payload: string
  check?: string
}

function headerBytes(e: Envelope): Buffer {
  const parts = [lp('onset-keyfile'), lp(String(e.version)), lp(e.peer), lp(e.protection)]
  if (e.kdf) parts.push(lp(e.kdf.alg), lp(String(e.kdf.opslimit)), lp(String(e.kdf.memlimit)), lp(e.kdf.salt))
  if (e.cipher) parts.push(lp(e.cipher))
  if (e.nonce) parts.push(lp(e.nonce))
  return Buffer.concat(parts)
}

function encodePayload(c: KeyFileContents): Buffer {
  return Buffer.from(JSON.stringify({
    seed: toHex(identitySeed(c.identity)),
    productions: c.productions.map((p) => ({ key: p.key, name: p.name, ns: p.ns, epochs: p.secrets.entries().map(([e, s]) => [e, toHex(s)]) })),
  }), 'utf8')
}

function corrupt(file: string, why: string): OnsetError {
  return new OnsetError('KEYFILE_CORRUPT', `key file ${file} is damaged: ${why}`, { hint: 'restore it from your backup' })
}

function decodePayload(file: string, peer: string, b: Buffer): KeyFileContents {
  let v: unknown
  try { v = JSON.parse(b.toString('utf8')) } catch { throw corrupt(file, 'payload is not valid') }
  const o = v as { seed?: unknown, productions?: unknown }
  if (typeof o !== 'object' || o === null || typeof o.seed !== 'string' || !isHex(o.seed, 32) || !Array.isArray(o.productions)) {
    throw corrupt(file, 'payload has the wrong shape')
  }
  const identity = identityFromSeed(fromHex(o.seed))
  if (identity.peerKey !== peer) throw corrupt(file, 'identity does not match the peer key in the header')
  const productions: HeldProduction[] = []
  for (const p of o.productions as unknown[]) {
    const q = p as { key?: unknown, name?: unknown, epochs?: unknown, ns?: unknown }
    if (typeof q !== 'object' || q === null || !ProductionKey.is(q.key) || typeof q.name !== 'string' || !Array.isArray(q.epochs)) {
      throw corrupt(file, 'a production entry has the wrong shape')
    }
    const epochs: [number, Buffer][] = []
    for (const e of q.epochs as unknown[]) {
      if (!Array.isArray(e) || e.length !== 2 || !Number.isInteger(e[0]) || e[0] < 0 || typeof e[1] !== 'string' || !isHex(e[1], 32)) {
        throw corrupt(file, 'a production secret has the wrong shape')
      }
      epochs.push([e[0] as number, fromHex(e[1] as string)])
    }
    const root = epochs.find(([e]) => e === 0)
    if (!root) throw corrupt(file, `production ${q.key.slice(0, 8)} has no root secret`)
    if (q.ns !== undefined && (typeof q.ns !== 'string' || !isHex(q.ns, 32))) throw corrupt(file, 'a production namespace has the wrong shape')
    productions.push({ key: q.key, name: q.name, ns: typeof q.ns === 'string' ? q.ns : q.key, secrets: new ProductionSecrets(root[1], epochs) })
  }
  return { identity, productions }
}

async function pwhash(passphrase: string, salt: Buffer, opslimit: number, memlimit: number): Promise<Buffer> {
  const key = Buffer.alloc(sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
  await sodium.crypto_pwhash_async(key, Buffer.from(passphrase.normalize('NFC'), 'utf8'), salt, opslimit, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13)
  return key
}

/** Build the file's bytes. */
export async function sealKeyFile(c: KeyFileContents, passphrase: Passphrase, opts: { kdf?: KdfPreset } = {}): Promise<Buffer> {
  const payload = encodePayload(c)
  let env: Envelope
  if (passphrase === null) {
    env = { onset: 'keyfile', version: KEYFILE_VERSION, peer: c.identity.peerKey, protection: 'none', payload: toBase64(payload) }
    const check = Buffer.alloc(32)
    sodium.crypto_generichash(check, Buffer.concat([headerBytes(env), payload]))
    env.check = toHex(check)
  } else {
    if (passphrase.length === 0) throw new OnsetError('BAD_ARGUMENT', 'the passphrase is empty', { hint: 'choose a passphrase, or --no-passphrase to protect the key by file permissions only' })
    const { opslimit, memlimit } = KDF_PRESETS[opts.kdf ?? 'moderate']
    const salt = randomBytes(sodium.crypto_pwhash_SALTBYTES)
    const nonce = randomBytes(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    env = {
      onset: 'keyfile', version: KEYFILE_VERSION, peer: c.identity.peerKey, protection: 'argon2id',
      kdf: { alg: 'argon2id13', opslimit, memlimit, salt: toHex(salt) },
      cipher: 'xchacha20poly1305-ietf', nonce: toHex(nonce), payload: '',
    }
    const key = await pwhash(passphrase, salt, opslimit, memlimit)
    const ct = Buffer.alloc(payload.length + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES)
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(ct, payload, headerBytes(env), null, nonce, key)
    sodium.sodium_memzero(key)
    env.payload = toBase64(ct)
  }
  sodium.sodium_memzero(payload)
  return Buffer.from(JSON.stringify(env, null, 2) + '\n', 'utf8')
}

/** What a file says about itself without opening it. */
export interface KeyFileInfo {
  peer: string
  protection: 'argon2id' | 'none'
}

function parseEnvelope(file: string, raw: Buffer): Envelope {
  let v: unknown
  try { v = JSON.parse(raw.toString('utf8')) } catch {
    throw corrupt(file, raw.length === 0 ? 'it is empty' : 'it is truncated or not a key file')
  }
  const e = v as Partial<Envelope>
  if (typeof e !== 'object' || e === null || e.onset !== 'keyfile') throw corrupt(file, 'it is not an onset key file')
  if (e.version !== KEYFILE_VERSION) {
    throw new OnsetError('KEYFILE_VERSION', `key file ${file} has format version ${String(e.version)}; this onset reads version ${KEYFILE_VERSION}`, { hint: 'use the onset release that wrote it, or upgrade onset' })
  }
  if (typeof e.peer !== 'string' || !isHex(e.peer, 32) || typeof e.payload !== 'string') throw corrupt(file, 'header fields are missing')
  if (e.protection === 'none') {
    if (typeof e.check !== 'string' || !isHex(e.check, 32)) throw corrupt(file, 'the check value is missing')
  } else if (e.protection === 'argon2id') {
    const k = e.kdf
    if (!k || k.alg !== 'argon2id13' || !Number.isInteger(k.opslimit) || !Number.isInteger(k.memlimit) || typeof k.salt !== 'string' || !isHex(k.salt, 16)) throw corrupt(file, 'KDF parameters are missing')
    if (k.opslimit < 1 || k.opslimit > MAX_OPSLIMIT || k.memlimit < 8192 || k.memlimit > MAX_MEMLIMIT) throw corrupt(file, 'KDF parameters are out of range')
    if (e.cipher !== 'xchacha20poly1305-ietf' || typeof e.nonce !== 'string' || !isHex(e.nonce, 24)) throw corrupt(file, 'cipher parameters are missing')
  } else {
    throw corrupt(file, `unknown protection "${String(e.protection)}"`)
  }
  return e as Envelope
}

export async function openKeyFileBytes(file: string, raw: Buffer, passphrase: string | undefined): Promise<KeyFileContents> {
  const env = parseEnvelope(file, raw)
  const body = fromBase64(env.payload)
  if (env.protection === 'none') {
    const check = Buffer.alloc(32)
    sodium.crypto_generichash(check, Buffer.concat([headerBytes(env), body]))
    if (toHex(check) !== env.check) throw corrupt(file, 'its contents do not match their check value (edited or truncated)')
    return decodePayload(file, env.peer, body)
  }
  if (passphrase === undefined) throw new OnsetError('NO_PASSPHRASE_SOURCE', `key file ${file} is sealed with a passphrase and none was given`, { hint: 'set ONSET_PASSPHRASE, pass --passphrase-file, or run in a terminal to be asked' })
  const kdf = env.kdf!
  if (body.length < sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES) throw corrupt(file, 'the sealed payload is truncated')
  const key = await pwhash(passphrase, fromHex(kdf.salt), kdf.opslimit, kdf.memlimit)
  const out = Buffer.alloc(body.length - sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES)
  let ok = true
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(out, null, body, headerBytes(env), fromHex(env.nonce!), key)
  } catch {
    ok = false
  } finally {
    sodium.sodium_memzero(key)
  }
  if (!ok) {
    throw new OnsetError('WRONG_PASSPHRASE', `cannot open key file ${file}: wrong passphrase, or the file was altered`, { hint: 'check the passphrase; if it is right, restore the file from backup' })
  }
  return decodePayload(file, env.peer, out)
}

async function readChecked(file: string): Promise<Buffer> {
  let st
  try { st = await fs.stat(file) } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new OnsetError('KEYFILE_MISSING', `no key file at ${file}`, { hint: 'run `onset init` first, or pass --data' })
    throw new OnsetError('IO', `cannot read key file ${file}: ${(err as Error).message}`)
  }
  if (!st.isFile()) throw corrupt(file, 'it is not a regular file')
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new OnsetError('KEYFILE_PERMISSIONS', `key file ${file} is accessible by other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`, { hint: `run: chmod 600 '${file}'` })
  }
  if (st.size > MAX_KEYFILE_BYTES) throw corrupt(file, 'it is far larger than any key file')
  return fs.readFile(file)
}

/** Peek at a key file's header (who, how protected) without a passphrase. */
export async function keyFileInfo(file: string): Promise<KeyFileInfo> {
  const env = parseEnvelope(file, await readChecked(file))
  return { peer: env.peer, protection: env.protection }
}

export async function readKeyFile(file: string, passphrase: string | undefined): Promise<KeyFileContents> {
  return openKeyFileBytes(file, await readChecked(file), passphrase)
}

/** Write atomically; refuses to replace an existing file unless `replace` is set. */
export async function writeKeyFile(file: string, c: KeyFileContents, passphrase: Passphrase, opts: { kdf?: KdfPreset, replace?: boolean } = {}): Promise<void> {
  const bytes = await sealKeyFile(c, passphrase, opts)
  await atomicWrite(file, bytes, { replace: opts.replace ?? false })
}

/** temp file (0600) + fsync + rename + fsync(dir). A crash leaves either the old or the new file. */
export async function atomicWrite(file: string, bytes: Uint8Array, opts: { replace: boolean }): Promise<void> {
  await atomicWriteFile(file, bytes, { replace: opts.replace, mode: 0o600, what: 'write key file' })
}
