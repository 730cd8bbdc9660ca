import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deterministicBytes } from '../crypto/identity.ts'
import { ProductionSecrets } from '../crypto/secrets.ts'
import { chunkStoreSuite } from './chunk-store.suite.ts'
import { HypercoreChunkStore } from './hypercore-chunk-store.ts'
import type { ChunkRef } from './chunk-store.ts'

let root: string
const secrets = new ProductionSecrets(Buffer.alloc(32, 1))
const stores: Corestore[] = []
beforeAll(async () => { root = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-store-')) })
afterAll(async () => {
  for (const s of stores) await s.close().catch(() => {})
  await fs.rm(root, { recursive: true, force: true })
})

function corestore(name: string): Corestore {
  const s = new Corestore(path.join(root, name))
  stores.push(s)
  return s
}

const keyed = (store: Corestore, epoch = 0) => HypercoreChunkStore.open({ store: store.namespace('p'), chunkIdKey: secrets.chunkIdKey, dataKey: (e) => secrets.dataKey(e), epoch, timeout: 5000 })

/**
 * Flip one byte of a stored block on disk. `compact()` first moves every value out of the WAL
 * and memtable into SST files, values >= 4 KiB into BlobDB `*.blob` files; the block's
 * ciphertext (as getCiphertext returns it) is then found in exactly one `.blob` file.
 * Returns that file's name.
 */
async function flipInBlobFile(dbDir: string, cipher: Buffer): Promise<string> {
  const needle = cipher.subarray(cipher.length >> 1, (cipher.length >> 1) + 64)
  const hits: string[] = []
  for (const name of await fs.readdir(dbDir)) {
    if (!name.endsWith('.blob')) continue
    const f = path.join(dbDir, name)
    const buf = await fs.readFile(f)
    const at = buf.indexOf(needle)
    if (at < 0) continue
    expect(buf.indexOf(needle, at + 1)).toBe(-1)
    const fh = await fs.open(f, 'r+')
    await fh.write(Buffer.from([buf[at + 7]! ^ 0x10]), 0, 1, at + 7)
    await fh.close()
    hits.push(name)
  }
  expect(hits.length).toBe(1)
  return hits[0]!
}

/** Compact `cs`, close it and `s`, flip a byte of `ref`'s block in its `.blob` file. */
async function damageOnDisk(cs: Corestore, s: HypercoreChunkStore, ref: ChunkRef, dir: string): Promise<void> {
  const cipher = await s.getCiphertext(ref.core, ref.block)
  await cs.storage.compact()
  await s.close()
  await cs.close()
  await flipInBlobFile(path.join(root, dir, 'db'), cipher!)
}

let n = 0
let current: Corestore | null = null
let currentDir = ''
chunkStoreSuite({
  name: 'hypercore',
  chunkIdKey: secrets.chunkIdKey,
  open: async () => { currentDir = `suite-${n++}`; current = corestore(currentDir); return keyed(current) },
  reopen: async () => keyed(current!),
  damage: async (s, ref) => {
    await damageOnDisk(current!, s as HypercoreChunkStore, ref, currentDir)
    current = corestore(currentDir)
    return keyed(current)
  },
})

function pipe(a: Corestore, b: Corestore) {
  const s1 = a.replicate(true), s2 = b.replicate(false)
  s1.on('error', () => {}); s2.on('error', () => {})
  s1.pipe(s2).pipe(s1)
  return () => { s1.destroy(); s2.destroy() }
}

describe('HypercoreChunkStore', () => {
  it('stores ciphertext: the plaintext never appears in the raw blocks', async () => {
    const cs = corestore('cipher')
    const s = await keyed(cs)
    const marker = Buffer.from('CLAPPERBOARD-SCENE-42-TAKE-3'.repeat(100))
    const ref = await s.put(marker)
    const raw = await s.getCiphertext(ref.core, ref.block)
    expect(raw!.includes(Buffer.from('CLAPPERBOARD'))).toBe(false)
    expect((await s.get(ref)).equals(marker)).toBe(true)
    await s.close()
  })

  it('the wrong data key is detected (id mismatch), never returned as data', async () => {
    const cs = corestore('wrongkey')
    const s = await keyed(cs)
    const ref = await s.put(Buffer.from('take two'))
    await s.close()
    const other = new ProductionSecrets(Buffer.alloc(32, 2))
    const w = await HypercoreChunkStore.open({ store: cs.namespace('p'), chunkIdKey: secrets.chunkIdKey, dataKey: (e) => other.dataKey(e), epoch: 0 })
    await expect(w.get(ref)).rejects.toMatchObject({ code: 'CHUNK_CORRUPT' })
    await w.close()
  })

  it('reads a chunk from another peer across replication, verified', async () => {
    const a = corestore('remote-a'), b = corestore('remote-b')
    const sa = await keyed(a), sb = await keyed(b)
    const d = deterministicBytes(200_000, Buffer.alloc(32, 5))
    const ref = await sa.put(d)
    const cut = pipe(a, b)
    expect((await sb.get(ref)).equals(d)).toBe(true)
    await sb.recordReceived(ref)
    expect(await sb.has(ref.id)).toBe(true)
    cut()
    await sa.close(); await sb.close()
  })

  it('a blind store replicates and holds ciphertext but refuses plaintext', async () => {
    const a = corestore('blind-a'), v = corestore('blind-v')
    const sa = await keyed(a)
    const sv = await HypercoreChunkStore.open({ store: v.namespace('p'), chunkIdKey: secrets.chunkIdKey, dataKey: null, epoch: 0 })
    const ref = await sa.put(Buffer.from('secret footage'.repeat(50)))
    const cut = pipe(a, v)
    const cipher = await sv.getCiphertext(ref.core, ref.block, { timeout: 5000 })
    expect(cipher).not.toBeNull()
    expect(cipher!.includes(Buffer.from('secret footage'))).toBe(false)
    expect(cipher!.length).toBe(14 * 50 + 8) // 8 bytes of block-encryption padding
    await expect(sv.get(ref)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' })
    await expect(sv.put(Buffer.from('x'))).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' })
    cut()
    await sa.close(); await sv.close()
  })

  it('damage on disk is detected by verifyRefs and repaired from a peer', async () => {
    const aDir = 'damage-a'
    let a = corestore(aDir)
    const b = corestore('damage-b')
    let sa = await keyed(a)
    const chunks = Array.from({ length: 6 }, (_, i) => deterministicBytes(256 * 1024, Buffer.alloc(32, 20 + i)))
    const refs = []
    for (const c of chunks) refs.push(await sa.put(c))
    // the lab (b) replicates every block first
    const sb = await keyed(b)
    let cut = pipe(a, b)
    for (const r of refs) { await sb.get(r); await sb.recordReceived(r) }
    cut()
    await sa.close()
    await a.close()
    // damage a's on-disk data: flip bytes in the middle of every large file of its RocksDB
    const dbDir = path.join(root, aDir, 'db')
    for (const name of await fs.readdir(dbDir)) {
      const f = path.join(dbDir, name)
      const st = await fs.stat(f)
      if (st.size < 512 * 1024) continue
      const fh = await fs.open(f, 'r+')
      const at = Math.floor(st.size * 0.6)
      const b1 = Buffer.alloc(16)
      await fh.read(b1, 0, 16, at)
      for (let i = 0; i < 16; i++) b1[i]! ^= 0xff
      await fh.write(b1, 0, 16, at)
      await fh.close()
    }
    a = corestore(aDir)
    sa = await keyed(a)
    const problems = await sa.verifyRefs(refs)
    expect(problems.length).toBeGreaterThan(0)
    for (const p of problems) expect(refs.map((r) => r.id)).toContain(p.ref.id)
    // repair from the peer that holds verified copies
    cut = pipe(a, b)
    for (const p of problems) {
      const fixed = await sa.repair(p.ref, { timeout: 5000 })
      expect(fixed.equals(chunks[refs.findIndex((r) => r.id === p.ref.id)]!)).toBe(true)
    }
    expect(await sa.verifyRefs(refs)).toEqual([])
    cut()
    await sa.close(); await sb.close()
  })
  it('reads a ref of a later data-key epoch even after the core was first opened for ciphertext', async () => {
    const s1 = new ProductionSecrets(secrets.root, [[1, Buffer.alloc(32, 9)]])
    const a = corestore('epoch-a'), b = corestore('epoch-b')
    const sa = await HypercoreChunkStore.open({ store: a.namespace('p'), chunkIdKey: s1.chunkIdKey, dataKey: (e) => s1.dataKey(e), epoch: 1, timeout: 5000 })
    const sb = await HypercoreChunkStore.open({ store: b.namespace('p'), chunkIdKey: s1.chunkIdKey, dataKey: (e) => s1.dataKey(e), epoch: 0, timeout: 5000 })
    const d = deterministicBytes(20_000, Buffer.alloc(32, 31))
    const ref = await sa.put(d)
    expect(ref.epoch).toBe(1)
    const cut = pipe(a, b)
    expect(await sb.getCiphertext(ref.core, ref.block)).not.toBeNull()
    expect((await sb.get(ref)).equals(d)).toBe(true)
    // a ref naming an epoch this member holds no secret for is refused, not a crash
    await expect(sb.get({ ...ref, core: 'cd'.repeat(32), epoch: 7 })).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' })
    expect(sb.blobsCores().map((c) => [c.key, c.own])).toEqual([[sb.ownCore, true], [ref.core, false]])
    cut()
    await sa.close(); await sb.close()
  })

  it('a chunk no connected peer has is a TIMEOUT after the bounded wait', async () => {
    const a = corestore('timeout-a'), b = corestore('timeout-b')
    const sa = await keyed(a), sb = await keyed(b)
    const ref = await sa.put(Buffer.from('only on a'))
    const t0 = Date.now()
    await expect(sb.get(ref, { timeout: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(Date.now() - t0).toBeLessThan(5000)
    await sa.close(); await sb.close()
  })

  it('a byte flipped in a .blob file: get and verifyAll name that chunk, verifyBlocks finds it without the key, repair fetches it from a peer', async () => {
    let a = corestore('blobflip-a')
    const b = corestore('blobflip-b')
    let sa = await keyed(a)
    const chunks = Array.from({ length: 5 }, (_, i) => deterministicBytes(100_000, Buffer.alloc(32, 50 + i)))
    const refs: ChunkRef[] = []
    for (const c of chunks) refs.push(await sa.put(c))
    const sb = await keyed(b)
    let cut = pipe(a, b)
    for (const r of refs) { await sb.get(r); await sb.recordReceived(r) }
    cut()
    await damageOnDisk(a, sa, refs[3]!, 'blobflip-a')
    a = corestore('blobflip-a')
    sa = await keyed(a)
    await expect(sa.get(refs[3]!)).rejects.toMatchObject({ code: 'CHUNK_CORRUPT' })
    expect((await sa.verifyAll()).map((p) => [p.ref.id, p.problem])).toEqual([[refs[3]!.id, 'corrupt']])
    const blocks = await sa.verifyBlocks({ full: true })
    expect(blocks.checked).toBe(5)
    expect(blocks.problems.map((p) => [p.core, p.block, p.problem])).toEqual([[refs[3]!.core, refs[3]!.block, 'corrupt']])
    cut = pipe(a, b)
    expect((await sa.repair(refs[3]!, { timeout: 5000 })).equals(chunks[3]!)).toBe(true)
    expect(await sa.verifyAll()).toEqual([])
    expect((await sa.verifyBlocks({ full: true })).problems).toEqual([])
    cut()
    await sa.close(); await sb.close()
  })

  it('a blind vault verifies held ciphertext against the Merkle tree, names a flipped block and repairs it from the writer', async () => {
    const a = corestore('blindrep-a')
    let v = corestore('blindrep-v')
    const sa = await keyed(a)
    const blind = (cs: Corestore) => HypercoreChunkStore.open({ store: cs.namespace('p'), chunkIdKey: secrets.chunkIdKey, dataKey: null, epoch: 0, timeout: 5000 })
    let sv = await blind(v)
    const refs: ChunkRef[] = []
    for (let i = 0; i < 4; i++) refs.push(await sa.put(deterministicBytes(80_000, Buffer.alloc(32, 60 + i))))
    const core = refs[0]!.core
    let cut = pipe(a, v)
    const mirror = (await sv.core(core)).download({ start: 0, end: 4 })
    await mirror.done()
    cut()
    expect(await sv.verifyBlocks({ full: true })).toEqual({ checked: 4, problems: [] })
    const good = await sv.getCiphertext(core, 2)
    await damageOnDisk(v, sv, refs[2]!, 'blindrep-v')
    v = corestore('blindrep-v')
    sv = await blind(v)
    await sv.core(core)
    const found = await sv.verifyBlocks({ full: true })
    expect(found.problems.map((p) => [p.core, p.block, p.problem])).toEqual([[core, 2, 'corrupt']])
    // verifyRefs (refs from the log) agrees, without decrypting anything
    expect((await sv.verifyRefs(refs)).map((p) => p.ref.block)).toEqual([2])
    // repair(ref) would need plaintext: refused before anything is cleared
    await expect(sv.repair(refs[2]!)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' })
    expect(await (await sv.core(core)).has(2)).toBe(true)
    cut = pipe(a, v)
    await sv.repairBlock(core, 2, { timeout: 5000 })
    expect((await sv.getCiphertext(core, 2))!.equals(good!)).toBe(true)
    expect(await sv.verifyBlocks({ full: true })).toEqual({ checked: 4, problems: [] })
    cut()
    await sa.close(); await sv.close()
  })
  it('flush() moves put chunks out of the unsynced write-ahead log into BlobDB files', async () => {
    const cs = corestore('flush')
    const s = await keyed(cs)
    const ref = await s.put(deterministicBytes(64 * 1024, Buffer.alloc(32, 70)))
    const cipher = (await s.getCiphertext(ref.core, ref.block))!
    const needle = cipher.subarray(30_000, 30_064)
    const inBlobFiles = async () => {
      const dir = path.join(root, 'flush', 'db')
      for (const name of await fs.readdir(dir)) if (name.endsWith('.blob') && (await fs.readFile(path.join(dir, name))).includes(needle)) return true
      return false
    }
    expect(await inBlobFiles()).toBe(false)
    await s.flush()
    expect(await inBlobFiles()).toBe(true)
    await s.close()
  })
})
