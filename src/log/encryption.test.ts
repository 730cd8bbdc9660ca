// The custody log is encrypted with the production's log key (Autobase `encryptionKey`): a peer
// without the key (a blind vault) replicates the writer and view cores, Hypercore verifies every
// block against the signed Merkle tree as it arrives, and what it stores is ciphertext only.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import type Hypercore from 'hypercore'
import { afterEach, describe, expect, it } from 'vitest'
import { CardId } from '../crypto/ids.ts'
import { LogCluster } from '../../test/helpers/log-peers.ts'

let cluster: LogCluster | null = null
let blindDir: string | null = null
let blind: Corestore | null = null
afterEach(async () => {
  await blind?.close(); blind = null
  await cluster?.close(); cluster = null
  if (blindDir) await fs.rm(blindDir, { recursive: true, force: true }); blindDir = null
})

async function blocks(core: Hypercore): Promise<Buffer[]> {
  return Promise.all(Array.from({ length: core.length }, (_, i) => core.get(i, { valueEncoding: 'binary' }) as Promise<Buffer>))
}

describe('custody log encryption', () => {
  it('a peer without the log key replicates and verifies the cores but holds only ciphertext', async () => {
    const { cluster: c, admin } = await LogCluster.create({ name: 'SECRET-TITLE-xyz' })
    cluster = c
    await admin.log.append({ type: 'card.registered', card: CardId.parse('A001'), files: 1, bytes: 1, label: 'SECRET-LABEL-abc' })
    const writerKey = admin.log.base.local.key
    const viewCore = (admin.log.base.view as unknown as { core: Hypercore }).core
    await viewCore.ready()

    blindDir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-blind-'))
    blind = new Corestore(blindDir)
    const s1 = admin.store.replicate(true)
    const s2 = blind.replicate(false)
    s1.pipe(s2).pipe(s1)

    for (const [key, source] of [[writerKey, admin.log.base.local], [viewCore.key, viewCore]] as const) {
      const copy = blind.get({ key })
      await copy.ready()
      // wait (bounded by the test timeout) until the blind copy has the source's length
      for (let i = 0; i < 500 && copy.length < source.length; i++) await copy.update({ wait: true })
      expect(copy.length).toBe(source.length)
      expect(copy.length).toBeGreaterThan(0)
      const raw = await blocks(copy)
      // every block arrived with a Merkle proof against the writer's signed tree: same tree hash
      expect((await copy.treeHash()).equals(await source.treeHash())).toBe(true)
      const all = Buffer.concat(raw)
      for (const plain of ['SECRET-TITLE-xyz', 'SECRET-LABEL-abc', 'card.registered', '"type"']) expect(all.includes(Buffer.from(plain))).toBe(false)
    }
    // the key holder reads the same blocks as plaintext
    const plainBlocks = await blocks(admin.log.base.local)
    expect(plainBlocks.some((b) => b.includes(Buffer.from('SECRET-LABEL-abc')))).toBe(true)
    s1.destroy(); s2.destroy()
  })
})
