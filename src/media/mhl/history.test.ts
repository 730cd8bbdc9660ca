import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashBytes } from '../../crypto/hashes.ts'
import { checkChain, hashFileOnDisk, latestEntries, readHistory, validateMhl, verifyHistory, writeGeneration, type MhlFileEntry } from './history.ts'

let dir: string
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-mhl-')) })
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }) })

const tool = { name: 'onset', version: '0.1.0' }
const SAMPLES = new URL('../../../test/fixtures/ascmhl/samples/', import.meta.url).pathname
const T0 = 1_700_000_000_000

/** Write files and return their records, hashed independently of the MHL code (node:crypto + the crypto layer). */
async function makeCard(root: string, files: Record<string, string | Buffer>): Promise<MhlFileEntry[]> {
  const out: MhlFileEntry[] = []
  for (const [rel, body] of Object.entries(files)) {
    const abs = path.join(root, ...rel.split('/'))
    await fs.mkdir(path.dirname(abs), { recursive: true })
    await fs.writeFile(abs, body)
    const h = await hashBytes(Buffer.from(body), ['xxh64', 'xxh128', 'c4'])
    out.push({
      path: rel, size: Buffer.byteLength(body), mtime: T0,
      hashes: { ...h, md5: createHash('md5').update(body).digest('hex'), sha1: createHash('sha1').update(body).digest('hex') },
      action: 'original', hashdate: T0 + 100_000,
    })
  }
  return out
}

async function sample(card: string): Promise<string> {
  const root = path.join(dir, card.replace(/\//g, '_'), 'A002R2EC')
  await fs.cp(path.join(SAMPLES, card, 'A002R2EC'), root, { recursive: true })
  // the fixtures may be read-only (as in shared/): make the copy writable
  for (const d of [root, path.join(root, 'ascmhl')]) await fs.chmod(d, 0o755)
  return root
}

describe('writing ASC MHL generations', () => {
  it('writes schema-valid files whose hashes are the independently computed ones, and reads them back', async () => {
    const root = path.join(dir, 'A001')
    const odd = {
      'Clips/A001C001.mxf': 'media-hash-list',
      'Clips/Ünïcødé clip #2 (take 3) & <more> "quoted" \'single\'.mov': 'x',
      'Clips/日本語/カメラ.mov': 'カメラ',
      'Clips/emoji 🎬.wav': 'clap',
      'Clips/ leading and trailing space .txt': 's',
      'Clips/tab\there.txt': 't',
      'empty.txt': '',
      'a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/deep.wav': 'deep',
    }
    const files = await makeCard(root, odd)
    const g = await writeGeneration(root, {
      files, process: 'in-place', tool, now: T0 + 200_000, hostname: 'dit-cart',
      authors: [{ name: 'Dana DIT', email: 'dana@example.com', role: 'DIT' }, { name: 'Lou Loader', phone: '+1 555 0100' }],
      location: 'Stage 5', comment: 'day 1 & 2',
    })
    expect(path.basename(g.file)).toBe('0001_A001_2023-11-14_221640Z.mhl')
    const xml = await fs.readFile(g.file, 'utf8')
    await validateMhl(g.file, xml, 'hashlist')
    await validateMhl('chain', await fs.readFile(path.join(root, 'ascmhl', 'ascmhl_chain.xml'), 'utf8'), 'directory')
    // the reference vectors for "media-hash-list", and node:crypto for md5/sha1
    expect(xml).toContain('<xxh64 action="original" hashdate="2023-11-14T22:15:00+00:00">584b2ea1974f2b7c</xxh64>')
    expect(xml).toContain('>61a67c014f703a456ee7a776fd8c06bd</xxh128>')
    expect(xml).toContain(`>${createHash('md5').update('media-hash-list').digest('hex')}</md5>`)
    expect(xml).toContain(`>${createHash('sha1').update('').digest('hex')}</sha1>`)
    expect(xml).toContain('<path size="0" lastmodificationdate="2023-11-14T22:13:20+00:00">empty.txt</path>')
    expect(xml).toContain('<roothash>')
    expect(xml).toContain('<path>a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p</path>')

    const h = await readHistory(root)
    expect(h.generations).toHaveLength(1)
    const gen = h.generations[0]!
    expect(gen.c4).toBe(g.c4)
    expect(gen.creator).toEqual({
      createdAt: T0 + 200_000, hostname: 'dit-cart', tool: { name: 'onset', version: '0.1.0' },
      authors: [{ name: 'Dana DIT', email: 'dana@example.com', role: 'DIT' }, { name: 'Lou Loader', phone: '+1 555 0100' }],
      location: 'Stage 5', comment: 'day 1 & 2',
    })
    expect(gen.processInfo.process).toBe('in-place')
    expect(gen.processInfo.ignore).toContain('ascmhl')
    const byPath = new Map(gen.files.map((f) => [f.path, f]))
    expect([...byPath.keys()].sort()).toEqual(Object.keys(odd).sort())
    for (const f of files) {
      const r = byPath.get(f.path)!
      expect(r.hashes).toEqual(f.hashes)
      expect(r.size).toBe(f.size)
      expect(r.mtime).toBe(T0)
      expect(r.hashInfo?.xxh64).toEqual({ action: 'original', hashdate: T0 + 100_000 })
    }
    // directory hashes written for every directory, and the root hash equals an independent recomputation
    expect(gen.directories.map((d) => d.path)).toContain('Clips/日本語')
    expect(gen.directories).toHaveLength(1 + 1 + 16)
    const v = await verifyHistory(root)
    expect(v.checks.map((c) => c.result)).toEqual(files.map(() => 'ok'))
    expect(v.checks.find((c) => c.path === 'empty.txt')?.mismatches).toEqual([])
    expect(v.unlisted).toEqual([])
    expect(v.ok).toBe(true)
  })

  it('writes per-hash actions and dates, several directory hash algorithms, empty directories, previous paths', async () => {
    const root = path.join(dir, 'B002')
    const [f] = await makeCard(root, { 'x.mov': 'abc' })
    await fs.mkdir(path.join(root, 'EMPTY'))
    const g = await writeGeneration(root, {
      files: [{ ...f!, action: 'verified', hashInfo: { md5: { action: 'original', hashdate: T0 + 5_000 } } }],
      process: 'flatten', tool, now: T0, directories: ['EMPTY'], directoryHashAlgos: ['xxh64', 'md5', 'c4'],
    })
    const xml = await fs.readFile(g.file, 'utf8')
    expect(xml).toMatch(/<md5 action="original" hashdate="2023-11-14T22:13:25\+00:00">/)
    expect(xml).toMatch(/<xxh64 action="verified" hashdate="2023-11-14T22:15:00\+00:00">/)
    const gen = (await readHistory(root)).generations[0]!
    expect(gen.processInfo.process).toBe('flatten')
    expect(Object.keys(gen.processInfo.rootHash!.content).sort()).toEqual(['c4', 'md5', 'xxh64'])
    const empty = gen.directories.find((d) => d.path === 'EMPTY')!
    expect(empty.content.md5).toBe('d41d8cd98f00b204e9800998ecf8427e')
    expect(gen.files[0]!.hashInfo).toMatchObject({ md5: { action: 'original' }, xxh64: { action: 'verified' }, sha1: { action: 'verified' } })
  })

  it('continues its own history: numbers follow, the chain grows, ignore patterns carry over', async () => {
    const root = path.join(dir, 'C003')
    const files = await makeCard(root, { 'x.mov': 'abc' })
    await writeGeneration(root, { files, process: 'in-place', tool, now: T0, ignore: ['*.tmp', 'ascmhl'] })
    const g2 = await writeGeneration(root, { files: files.map((f) => ({ ...f, action: 'verified' as const })), process: 'transfer', tool, now: T0 + 300_000, ignore: ['*.bak'] })
    expect(g2.generation).toBe(2)
    const h = await readHistory(root)
    expect(h.generations.map((g) => [g.generation, g.process])).toEqual([[1, 'in-place'], [2, 'transfer']])
    expect(h.generations[1]!.processInfo.ignore).toEqual(['*.tmp', 'ascmhl', '*.bak'])
    const { chain } = await checkChain(root)
    expect(chain.map((e) => e.sequencenr)).toEqual([1, 2])
    // a file the ignore patterns name is not "new"
    await fs.writeFile(path.join(root, 'scratch.tmp'), 'x')
    await fs.writeFile(path.join(root, 'new.mov'), 'y')
    expect((await verifyHistory(root)).unlisted).toEqual(['new.mov'])
  })

  it('refuses names XML cannot hold, and paths outside the root', async () => {
    const root = path.join(dir, 'D004')
    const [f] = await makeCard(root, { 'ok.mov': 'a' })
    await expect(writeGeneration(root, { files: [{ ...f!, path: 'bell\u0007.mov' }], process: 'in-place', tool, now: T0 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    await expect(writeGeneration(root, { files: [{ ...f!, path: '../escape.mov' }], process: 'in-place', tool, now: T0 })).rejects.toThrow(/not a relative POSIX path/)
    await expect(fs.readdir(path.join(root, 'ascmhl'))).rejects.toMatchObject({ code: 'ENOENT' }) // nothing written
  })

  it('references nested histories and checks the reference on read', async () => {
    const root = path.join(dir, 'SHOOT')
    const inner = await makeCard(path.join(root, 'A005'), { 'Clips/c.mov': 'inner' })
    const g1 = await writeGeneration(path.join(root, 'A005'), { files: inner, process: 'in-place', tool, now: T0 })
    const outer = await makeCard(root, { 'notes.txt': 'outer' })
    await writeGeneration(root, { files: outer, process: 'in-place', tool, now: T0 + 1000, references: ['A005'] })
    const h = await readHistory(root)
    expect(h.generations[0]!.references).toEqual([`A005/ascmhl/${path.basename(g1.file)}`])
    expect([...h.children.keys()]).toEqual(['A005'])
    expect([...latestEntries(h).keys()].sort()).toEqual(['A005/Clips/c.mov', 'notes.txt'])
    const v = await verifyHistory(root)
    expect(v.checks.every((c) => c.result === 'ok')).toBe(true)
    expect(v.unlisted).toEqual([])
    // rewrite the nested generation and its chain consistently: only the outer reference can tell
    const forged = (await fs.readFile(g1.file, 'utf8')).replace('<process>in-place</process>', '<process>transfer</process>')
    await fs.writeFile(g1.file, forged)
    const chainFile = path.join(root, 'A005', 'ascmhl', 'ascmhl_chain.xml')
    const { c4OfBytes } = await import('./chain.ts')
    await fs.writeFile(chainFile, (await fs.readFile(chainFile, 'utf8')).replace(g1.c4, c4OfBytes(Buffer.from(forged))))
    await expect(readHistory(path.join(root, 'A005'))).resolves.toBeTruthy()
    await expect(readHistory(root)).rejects.toMatchObject({ code: 'TAMPERED' })
  })
})

describe('the ASC reference samples (histories written by ascmhl.py)', () => {
  it('are read with their creator, process, per-hash actions, and verify clean', async () => {
    const root = await sample('scenario_03/file_server')
    const h = await readHistory(root)
    expect(h.generations.map((g) => [g.generation, g.creator.tool, g.creator.hostname, g.process])).toEqual([
      [1, { name: 'ascmhl.py', version: '0.3 alpha' }, 'myHost.local', 'in-place'],
      [2, { name: 'ascmhl.py', version: '0.3 alpha' }, 'myHost.local', 'in-place'],
    ])
    expect(h.generations[1]!.creator.createdAt).toBe(Date.parse('2020-01-17T14:30:00Z'))
    const f = h.generations[1]!.files.find((x) => x.path === 'Sidecar.txt')!
    expect(f).toMatchObject({ size: 58, hashes: { md5: '6425c5a180ca0f420dd2b25be4536a91', xxh64: '3ab5a4166b9bde44' } })
    expect(f.hashInfo?.md5).toEqual({ action: 'verified', hashdate: Date.parse('2020-01-17T14:30:00Z') })
    expect(h.generations[0]!.files[0]!.hashInfo?.xxh64?.action).toBe('original')
    const v = await verifyHistory(root, { hashFile: hashFileOnDisk, concurrency: 3 })
    expect(v.checks.map((c) => [c.path, c.result, c.mismatches.length])).toEqual([
      ['Clips/A002C006_141024_R2EC.mov', 'ok', 0], ['Clips/A002C007_141024_R2EC.mov', 'ok', 0], ['Sidecar.txt', 'ok', 0],
    ])
    expect(v.ok).toBe(true)
  })

  it('are continued with a new generation whose chain stays valid and whose directory hashes are ascmhl.py\'s', async () => {
    for (const card of ['scenario_01/travel_01', 'scenario_02/file_server', 'scenario_03/file_server']) {
      const root = await sample(card)
      const before = await readHistory(root)
      const oldChain = (await checkChain(root)).chain
      const latest = latestEntries(before)
      const next = await writeGeneration(root, {
        files: [...latest.values()].map((e) => ({ ...e, hashInfo: undefined, action: 'verified' as const, hashdate: T0 })),
        process: 'transfer', tool, now: T0, directoryHashAlgos: card.startsWith('scenario_03') ? ['md5', 'xxh64'] : undefined,
      })
      expect(next.generation).toBe(before.generations.length + 1)
      const after = await readHistory(root)
      expect(after.generations).toHaveLength(before.generations.length + 1)
      // earlier chain entries untouched, byte for byte
      expect((await checkChain(root)).chain.slice(0, oldChain.length)).toEqual(oldChain)
      const ours = after.generations.at(-1)!
      expect(ours.processInfo.rootHash!.content.xxh64).toBe('8d02114c32e28cbe')
      expect(ours.processInfo.rootHash!.structure.xxh64).toBe('f557f8ca8e5a88ef')
      expect(ours.directories).toEqual([expect.objectContaining({ path: 'Clips', content: expect.objectContaining({ xxh64: '4c226b42e27d7af3' }) })])
      if (card.startsWith('scenario_03')) expect(ours.processInfo.rootHash!.structure.md5).toBe('be1f2eaed208efbed061845a64cacdfa')
      // the reference tool's ignore patterns carry over
      expect(ours.processInfo.ignore.slice(0, 3)).toEqual(['.DS_Store', 'ascmhl', 'ascmhl/'])
      expect((await verifyHistory(root)).ok).toBe(true)
    }
  })
})

describe('damage and bad input', () => {
  it('verify reports the changed file with algorithm, expected and seen; the missing one; new files', async () => {
    const root = path.join(dir, 'E005')
    const files = await makeCard(root, { 'a.mov': 'one', 'b.mov': 'two', 'sub/c.mov': 'three' })
    await writeGeneration(root, { files, process: 'in-place', tool, now: T0 })
    await fs.writeFile(path.join(root, 'b.mov'), 'TWO')
    await fs.rm(path.join(root, 'a.mov'))
    await fs.writeFile(path.join(root, 'sub', 'new.mov'), 'new')
    await fs.writeFile(path.join(root, '.DS_Store'), 'finder')
    const seen = new Set<string>()
    const v = await verifyHistory(root, { onCheck: (c) => seen.add(c.path) })
    expect(seen).toEqual(new Set(['a.mov', 'b.mov', 'sub/c.mov']))
    const b = v.checks.find((c) => c.path === 'b.mov')!
    expect(b).toMatchObject({ result: 'failed', expected: files[1]!.hashes[b.algo!], seen: (await hashBytes(Buffer.from('TWO')))[b.algo!] })
    expect(b.mismatches.map((m) => m.algo).sort()).toEqual(['c4', 'md5', 'sha1', 'xxh128', 'xxh64'])
    expect(v.checks.find((c) => c.path === 'a.mov')!.result).toBe('missing')
    expect(v.checks.find((c) => c.path === 'sub/c.mov')!.result).toBe('ok')
    expect(v.unlisted).toEqual(['sub/new.mov'])
    expect(v.ok).toBe(false)
  })

  it('a tampered generation fails the chain check; a deleted or unlisted one too; a broken history is not extended', async () => {
    const root = path.join(dir, 'F006')
    const files = await makeCard(root, { 'a.mov': 'one' })
    const g = await writeGeneration(root, { files, process: 'in-place', tool, now: T0 })
    const xml = await fs.readFile(g.file, 'utf8')
    // one hash digit changed: still well-formed and schema-valid, only the chain can tell
    const forged = xml.replace(files[0]!.hashes.xxh64!, files[0]!.hashes.xxh64!.replace(/.$/, (c) => (c === '0' ? '1' : '0')))
    expect(forged).not.toBe(xml)
    await fs.writeFile(g.file, forged)
    await expect(readHistory(root)).rejects.toMatchObject({ code: 'TAMPERED', message: expect.stringContaining(path.basename(g.file)) })
    await expect(writeGeneration(root, { files, process: 'in-place', tool, now: T0 + 1000 })).rejects.toMatchObject({ code: 'TAMPERED' })
    await expect(verifyHistory(root)).rejects.toMatchObject({ code: 'TAMPERED' })
    await fs.rm(g.file)
    await expect(readHistory(root)).rejects.toThrow(/listed in ascmhl_chain\.xml but missing/)
    await fs.writeFile(path.join(root, 'ascmhl', '0002_F006_2023-11-14_221320Z.mhl'), xml)
    await fs.writeFile(g.file, xml)
    await expect(readHistory(root)).rejects.toThrow(/0002_F006_.*generation 2 is not listed in ascmhl_chain\.xml/)
  })

  it('malformed XML and schema-invalid files give MHL_INVALID naming the file and the line', async () => {
    const root = path.join(dir, 'G007')
    const files = await makeCard(root, { 'a.mov': 'one' })
    const g = await writeGeneration(root, { files, process: 'in-place', tool, now: T0 })
    const good = await fs.readFile(g.file, 'utf8')
    const lineOf = (s: string, needle: string) => s.slice(0, s.indexOf(needle)).split('\n').length
    const chainFile = path.join(root, 'ascmhl', 'ascmhl_chain.xml')
    const chain = await fs.readFile(chainFile, 'utf8')
    const { c4OfBytes } = await import('./chain.ts')
    // keep the chain consistent with each broken file, so the check that fires is the XML/schema one
    const put = async (text: string) => {
      await fs.writeFile(g.file, text)
      await fs.writeFile(chainFile, chain.replace(g.c4, c4OfBytes(Buffer.from(text))))
    }

    const unclosed = good.replace('</hostname>', '')
    await put(unclosed)
    const err1 = await readHistory(root).catch((e: unknown) => e)
    expect(err1).toMatchObject({ code: 'MHL_INVALID' })
    expect((err1 as Error).message).toMatch(new RegExp(`^${g.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: malformed XML`))

    const badProcess = good.replace('<process>in-place</process>', '<process>teleport</process>')
    await put(badProcess)
    await expect(readHistory(root)).rejects.toThrow(new RegExp(`0001_G007_[^:]*\\.mhl:${lineOf(badProcess, '<process>')}: not valid ASC MHL`))

    const unknownElement = good.replace('<hostname>', '<shoe>size 9</shoe>\n    <hostname>')
    await put(unknownElement)
    await expect(readHistory(root)).rejects.toThrow(new RegExp(`\\.mhl:${lineOf(unknownElement, '<shoe>')}: not valid ASC MHL`))

    const badAction = good.replace('action="original"', 'action="guessed"')
    await put(badAction)
    await expect(readHistory(root)).rejects.toThrow(new RegExp(`\\.mhl:${lineOf(badAction, 'guessed')}: not valid ASC MHL`))

    const badHash = good.replace(files[0]!.hashes.md5!, 'not-hex')
    await put(badHash)
    await expect(readHistory(root)).rejects.toMatchObject({ code: 'MHL_INVALID', message: expect.stringContaining('is not a md5 hash') })

    const escape = good.replace('>a.mov</path>', '>../../etc/passwd</path>')
    await put(escape)
    await expect(readHistory(root)).rejects.toThrow(/not a relative path inside the history/)

    // a byte-order mark is fine
    await put('\uFEFF' + good)
    await expect(readHistory(root)).resolves.toMatchObject({ generations: [{ generation: 1 }] })

    // a broken chain file
    await put(good)
    await fs.writeFile(chainFile, chain.replace('</ascmhldirectory>', '<oops>'))
    await expect(readHistory(root)).rejects.toThrow(/ascmhl_chain\.xml:\d+: malformed XML/)
    await fs.writeFile(chainFile, chain.replace('sequencenr="1"', 'sequencenr="one"'))
    await expect(readHistory(root)).rejects.toThrow(new RegExp(`ascmhl_chain\\.xml:${lineOf(chain, 'sequencenr')}: not valid ASC MHL`))
  })

  it('an empty folder has an empty history; a folder with files but no history verifies them as new', async () => {
    const root = path.join(dir, 'H008')
    await makeCard(root, { 'x.mov': 'x' })
    expect((await readHistory(root)).generations).toEqual([])
    const v = await verifyHistory(root)
    expect(v.checks).toEqual([])
    expect(v.unlisted).toEqual(['x.mov'])
  })
})
