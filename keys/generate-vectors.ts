/**
 * Regenerates keys/vectors.json and the two TEST key files. Run only on purpose, when a format
 * change is intended (and bump the format version): `node keys/generate-vectors.ts`.
 * Every key here is a TEST KEY derived from public seeds. Never use them for a production.
 */
import { writeFileSync, chmodSync } from 'node:fs'
import { identityFromSeed } from '../src/crypto/identity.ts'
import { sign, signedMessage } from '../src/crypto/sign.ts'
import { derive, topicFor, ProductionSecrets } from '../src/crypto/secrets.ts'
import { blake2b256, chunkId, hashBytes, HASH_ALGOS } from '../src/crypto/hashes.ts'
import { sealKeyFile } from '../src/crypto/keyfile.ts'
import { ProductionKey } from '../src/crypto/ids.ts'

const dir = new URL('.', import.meta.url).pathname
const seed = (label: string) => blake2b256(Buffer.from(`onset TEST KEY — do not use: ${label}`))
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

const id = identityFromSeed(seed('identity-1'))
const root = seed('production-root-secret')
const epoch1 = seed('production-epoch-1-secret')
const productionKey = seed('production-key')
const payload = Buffer.from('onset known-answer payload', 'utf8')
const chunkKey = derive(root, 'chunk-id-key')
const chunk1 = Buffer.from('media-hash-list')
const chunk2 = Buffer.alloc(1024 * 1024, 0xab)

const vectors = {
  WARNING: 'TEST KEYS ONLY. Derived from public labels; never use for a real production.',
  identity: { seedLabel: 'identity-1', seed: hex(seed('identity-1')), publicKey: hex(id.publicKey) },
  signature: {
    domain: 'kat',
    payload: hex(payload),
    signedMessage: hex(signedMessage('kat', payload)),
    signature: hex(sign(id, 'kat', payload)),
  },
  kdf: {
    root: hex(root),
    logKey: hex(derive(root, 'log-key')),
    chunkIdKey: hex(chunkKey),
    dataKeyEpoch0: hex(derive(root, 'data-key')),
    epoch1Secret: hex(epoch1),
    dataKeyEpoch1: hex(derive(epoch1, 'data-key')),
    productionKey: hex(productionKey),
    topic: hex(topicFor(productionKey)),
  },
  chunkIds: [
    { input: 'utf8:media-hash-list', id: chunkId(chunkKey, chunk1) },
    { input: '1 MiB of 0xab', id: chunkId(chunkKey, chunk2) },
  ],
  fileHashes: [
    { input: 'utf8:media-hash-list', ...(await hashBytes(chunk1, HASH_ALGOS)) },
    { input: 'empty', ...(await hashBytes(Buffer.alloc(0), HASH_ALGOS)) },
    { input: '1 MiB of 0xab', ...(await hashBytes(chunk2, HASH_ALGOS)) },
  ],
}
writeFileSync(dir + 'vectors.json', JSON.stringify(vectors, null, 2) + '\n')

const contents = {
  identity: id,
  productions: [{ key: ProductionKey.fromBytes(productionKey), name: 'TEST production', ns: hex(productionKey), secrets: new ProductionSecrets(root, [[1, epoch1]]) }],
}
for (const [file, pass] of [['test-sealed.key', 'TEST passphrase'], ['test-unprotected.key', null]] as const) {
  writeFileSync(dir + file, await sealKeyFile(contents, pass, { kdf: 'interactive' }), { mode: 0o600 })
  chmodSync(dir + file, 0o600)
}
