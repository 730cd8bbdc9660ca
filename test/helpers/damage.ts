// Damage a chunk a peer holds, on disk, the way a failing drive would: the peer must be stopped.
// The store is compacted first so every block's ciphertext sits in a RocksDB BlobDB `.blob`
// file; one byte in the middle of that block is flipped there.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { CardId } from '../../src/crypto/ids.ts'
import { openHome } from '../../src/peer/home.ts'
import { Production } from '../../src/peer/production.ts'
import type { ChunkRef } from '../../src/store/chunk-store.ts'

/** Flip one byte of chunk `index` of `card/file` in the stopped peer at `dataDir`; returns its ref. */
export async function damageStoredChunk(dataDir: string, card: CardId, file: string, index = 0): Promise<ChunkRef> {
  const home = await openHome(dataDir, undefined)
  const p = await Production.open(home)
  let ref: ChunkRef, cipher: Buffer | null
  try {
    const f = await p.log.queries.file(card, file)
    if (!f) throw new Error(`${card}/${file} is not recorded on ${dataDir}`)
    ref = Production.chunkRefs(f)[index]!
    cipher = await p.vault.getCiphertext(ref.core, ref.block, { timeout: 1 })
    if (!cipher) throw new Error(`${dataDir} does not hold chunk ${index} of ${card}/${file}`)
    await p.store.storage.compact()
  } finally {
    await p.close()
  }
  const db = path.join(home.paths.corestore, 'db')
  const needle = cipher.subarray(cipher.length >> 1, (cipher.length >> 1) + 64)
  let hits = 0
  for (const name of await fs.readdir(db)) {
    if (!name.endsWith('.blob')) continue
    const buf = await fs.readFile(path.join(db, name))
    const at = buf.indexOf(needle)
    if (at < 0) continue
    const fh = await fs.open(path.join(db, name), 'r+')
    await fh.write(Buffer.from([buf[at + 7]! ^ 0x10]), 0, 1, at + 7)
    await fh.close()
    hits++
  }
  if (hits !== 1) throw new Error(`expected the block in exactly one .blob file of ${db}, found it in ${hits}`)
  return ref
}
