// Known-answer tests: any change that breaks compatibility of a derivation, a signature layout,
// a chunk id, a file hash or the key-file format fails here. TEST KEYS ONLY.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { identityFromSeed } from '../src/crypto/identity.ts'
import { sign, signedMessage, verify } from '../src/crypto/sign.ts'
import { derive, topicFor } from '../src/crypto/secrets.ts'
import { chunkId, hashBytes, HASH_ALGOS } from '../src/crypto/hashes.ts'
import { readKeyFile } from '../src/crypto/keyfile.ts'
import vectors from './vectors.json' with { type: 'json' }

const b = (h: string) => Buffer.from(h, 'hex')
const hex = (x: Uint8Array) => Buffer.from(x).toString('hex')

describe('known-answer vectors (keys/vectors.json)', () => {
  it('identity from seed', () => {
    expect(hex(identityFromSeed(b(vectors.identity.seed)).publicKey)).toBe(vectors.identity.publicKey)
  })

  it('signature layout and value', () => {
    const id = identityFromSeed(b(vectors.identity.seed))
    const payload = b(vectors.signature.payload)
    expect(hex(signedMessage('kat', payload))).toBe(vectors.signature.signedMessage)
    expect(hex(sign(id, 'kat', payload))).toBe(vectors.signature.signature)
    expect(verify(id.publicKey, 'kat', payload, b(vectors.signature.signature))).toBe(true)
  })

  it('KDF outputs', () => {
    const k = vectors.kdf
    expect(hex(derive(b(k.root), 'log-key'))).toBe(k.logKey)
    expect(hex(derive(b(k.root), 'chunk-id-key'))).toBe(k.chunkIdKey)
    expect(hex(derive(b(k.root), 'data-key'))).toBe(k.dataKeyEpoch0)
    expect(hex(derive(b(k.epoch1Secret), 'data-key'))).toBe(k.dataKeyEpoch1)
    expect(hex(topicFor(b(k.productionKey)))).toBe(k.topic)
  })

  it('chunk ids', () => {
    const key = b(vectors.kdf.chunkIdKey)
    expect(chunkId(key, Buffer.from('media-hash-list'))).toBe(vectors.chunkIds[0]!.id)
    expect(chunkId(key, Buffer.alloc(1024 * 1024, 0xab))).toBe(vectors.chunkIds[1]!.id)
  })

  it('file hashes, including the ASC MHL reference values', async () => {
    const inputs = [Buffer.from('media-hash-list'), Buffer.alloc(0), Buffer.alloc(1024 * 1024, 0xab)]
    for (const [i, input] of inputs.entries()) {
      const { input: _label, ...want } = vectors.fileHashes[i]!
      expect(await hashBytes(input, HASH_ALGOS)).toEqual(want)
    }
    // ASC MHL's published reference values for the bytes "media-hash-list"
    expect(vectors.fileHashes[0]!.xxh64).toBe('584b2ea1974f2b7c')
    expect(vectors.fileHashes[0]!.xxh128).toBe('61a67c014f703a456ee7a776fd8c06bd')
    expect(vectors.fileHashes[0]!.c4).toHaveLength(90)
    // the C4 id of empty input is the well-known value
    expect(vectors.fileHashes[1]!.c4).toBe('c459dsjfscH38cYeXXYogktxf4Cd9ibshE3BHUo6a58hBXmRQdZrAkZzsWcbWtDg5oQstpDuni4Hirj75GEmTc1sFT')
  })

  it('key files written by an earlier build still open (sealed and unprotected)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-kat-'))
    try {
      for (const [name, pass] of [['test-sealed.key', 'TEST passphrase'], ['test-unprotected.key', undefined]] as const) {
        const f = path.join(dir, name)
        await fs.copyFile(new URL(name, import.meta.url), f)
        await fs.chmod(f, 0o600) // git does not keep the 0600 mode
        const c = await readKeyFile(f, pass)
        expect(c.identity.peerKey).toBe(vectors.identity.publicKey)
        expect(hex(c.productions[0]!.secrets.dataKey(1))).toBe(vectors.kdf.dataKeyEpoch1)
        expect(c.productions[0]!.key).toBe(vectors.kdf.productionKey)
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })
})
