// Edge cases of the offload pipeline (src/media): scan rules, odd destinations, resume proof,
// vanishing source files, verify on a damaged destination, and a real Hypercore vault in-process.
import { createReadStream, promises as fs, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TypedEmitter } from '../src/base/events.ts'
import { isOnsetError } from '../src/base/errors.ts'
import { hashStream } from '../src/crypto/hashes.ts'
import { generateIdentity } from '../src/crypto/identity.ts'
import { CardId } from '../src/crypto/ids.ts'
import { ProductionSecrets } from '../src/crypto/secrets.ts'
import { MemoryCustodySink, type RecordedFile } from '../src/media/custody-sink.ts'
import { exportCard } from '../src/media/export.ts'
import { readHistory } from '../src/media/mhl/history.ts'
import { offload, type OffloadEvents } from '../src/media/offload.ts'
import { scanCard } from '../src/media/scan.ts'
import { makeSyntheticCard } from '../src/media/synthetic-card.ts'
import { verifyDest, verifyVault } from '../src/media/verify.ts'
import { HypercoreChunkStore } from '../src/store/hypercore-chunk-store.ts'
import { MemoryChunkStore } from '../src/store/memory-chunk-store.ts'

let dir: string
beforeAll(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-offload-edge-')) })
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }) })

const self = generateIdentity().peerKey
const key = Buffer.alloc(32, 7)

function recorded(sink: MemoryCustodySink): RecordedFile[] {
  return sink.records.filter((r) => r.op === 'fileRecorded').map((r) => r.args[0] as RecordedFile)
}

describe('scan', () => {
  it('skips OS junk and symlinks (with a reason), keeps odd names, sorts deterministically', async () => {
    const root = path.join(dir, 'scan', 'A100')
    await fs.mkdir(path.join(root, 'Clips', 'deep', 'x', 'y', 'z'), { recursive: true })
    const names = ['Ünïcødé — take #3 (final).wav', 'space name .mov', 'a\\b.txt', '😀.mxf', '\uFF61.mxf', '-dash', 'new\nline']
    for (const n of names) await fs.writeFile(path.join(root, 'Clips', n), n)
    await fs.writeFile(path.join(root, 'Clips', 'deep', 'x', 'y', 'z', 'leaf.bin'), 'leaf')
    for (const junk of ['.DS_Store', '._A001C001.mxf', 'Thumbs.db']) await fs.writeFile(path.join(root, 'Clips', junk), 'junk')
    await fs.mkdir(path.join(root, '.Spotlight-V100'))
    await fs.writeFile(path.join(root, '.Spotlight-V100', 'store.db'), 'junk')
    await fs.symlink(path.join(root, 'Clips', '-dash'), path.join(root, 'Clips', 'link.mxf'))
    await fs.symlink(path.join(root, 'Clips'), path.join(root, 'loop'))
    const s = await scanCard(root)
    const paths = s.files.map((f) => f.path)
    expect(paths).toEqual([...names.map((n) => `Clips/${n}`), 'Clips/deep/x/y/z/leaf.bin'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))))
    expect(s.skipped.map((x) => x.path).sort()).toEqual(['Clips/link.mxf', 'loop'])
    expect(s.skipped.every((x) => /symbolic link/.test(x.reason))).toBe(true)
    expect(s.bytes).toBe(s.files.reduce((n, f) => n + f.size, 0))
    expect((await scanCard(root)).files).toEqual(s.files)
  })
})

describe('offload edge cases', () => {
  it('a directory standing where a file goes is a conflict at that destination, not a crash', async () => {
    const card = await makeSyntheticCard({ root: path.join(dir, 'e1'), card: 'A101', clips: 2, clipBytes: 200_000, sidecars: 1 })
    const [first] = card.files.filter((f) => f.path.endsWith('.mxf'))
    const d1 = path.join(dir, 'e1-d1'), d2 = path.join(dir, 'e1-d2')
    await fs.mkdir(path.join(d1, 'A101', first!.path, 'inside'), { recursive: true })
    const sink = new MemoryCustodySink()
    const r = await offload({ cardDir: card.dir, card: CardId.parse('A101'), dests: [d1, d2], vault: null, custody: sink, journalDir: path.join(dir, 'e1-j'), self })
    expect(r.ok).toBe(false)
    expect(r.outcomes.get(first!.path)![path.resolve(d1)]).toBe('conflict')
    for (const o of r.outcomes.values()) expect(o[path.resolve(d2)]).toBe('verified')
    expect(r.problems.map((p) => [p.path, p.place])).toEqual([[first!.path, path.resolve(d1)]])
    expect((await fs.stat(path.join(d1, 'A101', first!.path, 'inside'))).isDirectory()).toBe(true)
  })

  it('the same destination given twice is refused up front', async () => {
    const card = await makeSyntheticCard({ root: path.join(dir, 'e2'), card: 'A102', clips: 1, clipBytes: 100_000, sidecars: 1 })
    const d = path.join(dir, 'e2-d')
    const err = await offload({ cardDir: card.dir, card: CardId.parse('A102'), dests: [d, d + '/'], vault: null, custody: new MemoryCustodySink(), journalDir: path.join(dir, 'e2-j'), self }).catch((e: unknown) => e)
    expect(isOnsetError(err, 'BAD_ARGUMENT')).toBe(true)
    await expect(fs.stat(path.join(d, 'A102'))).rejects.toThrow()
  })

  it('a source file that vanishes after the scan is reported; the rest of the card completes', async () => {
    const card = await makeSyntheticCard({ root: path.join(dir, 'e3'), card: 'A103', clips: 2, clipBytes: 300_000, sidecars: 2 })
    const victim = card.files.find((f) => f.path.endsWith('.xml') && f.path.startsWith('Clips/'))!
    const events = new TypedEmitter<OffloadEvents>()
    // progress names the file about to be copied: remove it right then (synchronously, no race)
    events.on('progress', (p) => { if (p.current === victim.path) rmSync(path.join(card.dir, victim.path), { force: true }) })
    const sink = new MemoryCustodySink()
    const d = path.join(dir, 'e3-d')
    const r = await offload({ cardDir: card.dir, card: CardId.parse('A103'), dests: [d], vault: new MemoryChunkStore({ chunkIdKey: key }), custody: sink, journalDir: path.join(dir, 'e3-j'), self, events })
    expect(r.ok).toBe(false)
    expect(r.problems.map((p) => [p.path, p.place])).toEqual([[victim.path, 'source']])
    expect(recorded(sink).map((f) => f.path).sort()).toEqual(card.files.map((f) => f.path).filter((p) => p !== victim.path).sort())
    await expect(fs.stat(path.join(d, 'A103', victim.path))).rejects.toThrow()
    expect(sink.records.some((x) => x.op === 'alert' && x.args[0] === 'unreadable')).toBe(true)
  })

  it('resume does not take a journaled copy on its size alone: a copy damaged since is caught, never recorded in the MHL', async () => {
    const card = await makeSyntheticCard({ root: path.join(dir, 'e4'), card: 'A104', clips: 2, clipBytes: 400_000, sidecars: 1 })
    const [a, b] = card.files.filter((f) => f.path.endsWith('.mxf'))
    const d = path.join(dir, 'e4-d')
    // a conflict leaves the run unfinished: its journal stays, as after a crash
    await fs.mkdir(path.join(d, 'A104', 'Clips'), { recursive: true })
    await fs.writeFile(path.join(d, 'A104', b!.path), 'in the way')
    const j = path.join(dir, 'e4-j')
    const first = await offload({ cardDir: card.dir, card: CardId.parse('A104'), dests: [d], vault: null, custody: new MemoryCustodySink(), journalDir: j, self })
    expect(first.ok).toBe(false)
    expect(first.outcomes.get(a!.path)![path.resolve(d)]).toBe('verified')
    // the verified copy of `a` is damaged in place (same size); the conflict is cleared
    const fh = await fs.open(path.join(d, 'A104', a!.path), 'r+')
    await fh.write(Buffer.from([0xff, 0xee]), 0, 2, 5000); await fh.close()
    await fs.rm(path.join(d, 'A104', b!.path))
    const sink = new MemoryCustodySink()
    const second = await offload({ cardDir: card.dir, card: CardId.parse('A104'), dests: [d], vault: null, custody: sink, journalDir: j, self })
    expect(second.outcomes.get(b!.path)![path.resolve(d)]).toBe('verified')
    expect(second.outcomes.get(a!.path)![path.resolve(d)]).toBe('conflict')
    expect(second.ok).toBe(false)
    await expect(fs.stat(path.join(d, 'A104', 'ascmhl'))).rejects.toThrow() // no MHL claims the damaged copy
  })

  it('verify names a file replaced by a directory instead of throwing', async () => {
    const card = await makeSyntheticCard({ root: path.join(dir, 'e5'), card: 'A105', clips: 2, clipBytes: 100_000, sidecars: 1 })
    const sink = new MemoryCustodySink()
    const d = path.join(dir, 'e5-d')
    const r = await offload({ cardDir: card.dir, card: CardId.parse('A105'), dests: [d], vault: null, custody: sink, journalDir: path.join(dir, 'e5-j'), self })
    expect(r.ok).toBe(true)
    const victim = card.files.find((f) => f.path.endsWith('.mxf'))!
    await fs.rm(path.join(d, 'A105', victim.path))
    await fs.mkdir(path.join(d, 'A105', victim.path))
    const v = await verifyDest(path.join(d, 'A105'), recorded(sink))
    expect(v.ok).toBe(false)
    expect(v.files.filter((f) => f.result !== 'ok').map((f) => [f.path, f.result])).toEqual([[victim.path, 'failed']])
  })

  it('small files run ahead in a window, yet everything is recorded in card order', async () => {
    const root = path.join(dir, 'e8', 'A109')
    await fs.mkdir(path.join(root, 'B'), { recursive: true })
    for (let i = 0; i < 40; i++) await fs.writeFile(path.join(root, i < 20 ? '' : 'B', `s${String(i).padStart(2, '0')}`), `small ${i}`)
    await fs.writeFile(path.join(root, 'm-big.bin'), Buffer.alloc(2_500_000, 7))
    const sink = new MemoryCustodySink()
    const d1 = path.join(dir, 'e8-d1'), d2 = path.join(dir, 'e8-d2')
    const r = await offload({ cardDir: root, card: CardId.parse('A109'), dests: [d1, d2], vault: new MemoryChunkStore({ chunkIdKey: key }), custody: sink, journalDir: path.join(dir, 'e8-j'), self })
    expect(r.ok).toBe(true)
    const order = (await scanCard(root)).files.map((f) => f.path)
    expect(recorded(sink).map((f) => f.path)).toEqual(order)
    expect([...r.outcomes.keys()]).toEqual(order)
    for (const d of [d1, d2]) {
      expect(sink.records.filter((x) => x.op === 'copyVerified' && (x.args[2] as { path?: string }).path === path.join(path.resolve(d), 'A109')).map((x) => x.args[1])).toEqual(order)
      expect((await readHistory(path.join(d, 'A109'))).generations[0]!.files.map((f) => f.path)).toEqual(order)
    }
  })

  it('an empty card and a card of only empty files', async () => {
    const empty = path.join(dir, 'e6', 'A106')
    await fs.mkdir(empty, { recursive: true })
    const sink = new MemoryCustodySink()
    const r0 = await offload({ cardDir: empty, card: CardId.parse('A106'), dests: [path.join(dir, 'e6-d')], vault: new MemoryChunkStore({ chunkIdKey: key }), custody: sink, journalDir: path.join(dir, 'e6-j'), self })
    expect(r0.ok).toBe(true)
    expect(r0.files).toBe(0)
    const zeros = path.join(dir, 'e6', 'A107')
    await fs.mkdir(path.join(zeros, 'sub'), { recursive: true })
    await fs.writeFile(path.join(zeros, 'a'), '')
    await fs.writeFile(path.join(zeros, 'sub', 'b'), '')
    const s1 = new MemoryCustodySink()
    const r1 = await offload({ cardDir: zeros, card: CardId.parse('A107'), dests: [path.join(dir, 'e6-d')], vault: new MemoryChunkStore({ chunkIdKey: key }), custody: s1, journalDir: path.join(dir, 'e6-j'), self })
    expect(r1.ok).toBe(true)
    expect(recorded(s1).map((f) => [f.path, f.size, f.chunks.length])).toEqual([['a', 0, 0], ['sub/b', 0, 0]])
    expect((await fs.stat(path.join(dir, 'e6-d', 'A107', 'sub', 'b'))).size).toBe(0)
    expect((await readHistory(path.join(dir, 'e6-d', 'A107'))).generations[0]!.files).toHaveLength(2)
  })

  it('md5, sha1 and c4 on request; a real Hypercore vault; export rebuilds the card byte for byte', async () => {
    const card = await makeSyntheticCard({ root: path.join(dir, 'e7'), card: 'A108', clips: 2, clipBytes: 2_200_000, sidecars: 2 })
    const secrets = new ProductionSecrets(Buffer.alloc(32, 5))
    const store = new Corestore(path.join(dir, 'e7-store'))
    const vault = await HypercoreChunkStore.open({ store: store.namespace('p'), chunkIdKey: secrets.chunkIdKey, dataKey: (e) => secrets.dataKey(e), epoch: 0 })
    try {
      const sink = new MemoryCustodySink()
      const d = path.join(dir, 'e7-d')
      const r = await offload({ cardDir: card.dir, card: CardId.parse('A108'), dests: [d], vault, custody: sink, journalDir: path.join(dir, 'e7-j'), self, hashes: ['md5', 'sha1', 'c4'] })
      expect(r.ok).toBe(true)
      const files = recorded(sink)
      for (const f of files) {
        const want = await hashStream(createReadStream(path.join(card.dir, f.path)), ['xxh64', 'xxh128', 'md5', 'sha1', 'c4'])
        expect(f.hashes).toEqual({ xxh64: want.xxh64, xxh128: want.xxh128, md5: want.md5, sha1: want.sha1, c4: want.c4 })
        expect(f.chunks.length).toBe(Math.ceil(f.size / (1 << 20)))
      }
      expect(await verifyVault(vault, files)).toEqual([])
      expect((await verifyDest(path.join(d, 'A108'), files, { algos: ['xxh64', 'md5', 'c4'] })).ok).toBe(true)
      const out = path.join(dir, 'e7-out')
      const ex = await exportCard({ vault, files, outDir: out, tool: { name: 'onset', version: 't' } })
      expect(ex.ok).toBe(true)
      for (const f of files) expect(await fs.readFile(path.join(out, f.path))).toEqual(await fs.readFile(path.join(card.dir, f.path)))
    } finally {
      await vault.close()
      await store.close()
    }
  })
})
