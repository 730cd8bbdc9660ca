import { createHash } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashStream, type HashAlgo } from '../../crypto/hashes.ts'
import { readHistory, verifyHistory, writeGeneration, latestEntries, type MhlFileEntry } from './history.ts'
import { validateMhl } from './validate.ts'

let dir: string
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-mhl-')) })
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }) })

const hashFile = (abs: string, algos: HashAlgo[]) => hashStream(createReadStream(abs), algos)
const tool = { name: 'onset', version: '0.1.0' }

async function makeCard(root: string, files: Record<string, string>): Promise<MhlFileEntry[]> {
  const out: MhlFileEntry[] = []
  for (const [rel, body] of Object.entries(files)) {
    const abs = path.join(root, ...rel.split('/'))
    await fs.mkdir(path.dirname(abs), { recursive: true })
    await fs.writeFile(abs, body)
    const h = await hashFile(abs, ['xxh64', 'xxh128', 'md5', 'sha1', 'c4'])
    out.push({ path: rel, size: Buffer.byteLength(body), mtime: 1_700_000_000_000, hashes: { xxh64: h.xxh64!, xxh128: h.xxh128!, md5: h.md5!, sha1: h.sha1!, c4: h.c4! }, action: 'original', hashdate: 1_700_000_100_000 })
  }
  return out
}

describe('ASC MHL histories', () => {
  it('writes schema-valid generations whose hashes match independent ones, and reads them back', async () => {
    const root = path.join(dir, 'A001')
    const files = await makeCard(root, { 'Clips/A001C001.mxf': 'media-hash-list', 'Clips/Ünïcødé clip #2 (take 3).mov': 'x', 'empty.txt': '', 'a/b/c/d/e/deep.wav': 'deep' })
    const g = await writeGeneration(root, { files, process: 'in-place', tool, now: 1_700_000_200_000, hostname: 'dit-cart' })
    expect(path.basename(g.file)).toBe('0001_A001_2023-11-14_221640Z.mhl')
    const xml = await fs.readFile(g.file, 'utf8')
    await validateMhl(g.file, xml, 'hashlist')
    await validateMhl('chain', await fs.readFile(path.join(root, 'ascmhl', 'ascmhl_chain.xml'), 'utf8'), 'directory')
    expect(xml).toContain('<xxh64 action="original" hashdate="2023-11-14T22:15:00+00:00">584b2ea1974f2b7c</xxh64>')
    expect(xml).toContain('<xxh128 action="original"')
    expect(xml).toContain('61a67c014f703a456ee7a776fd8c06bd')
    expect(xml).toContain(createHash('md5').update('media-hash-list').digest('hex'))
    expect(xml).toContain(createHash('sha1').update('').digest('hex'))
    expect(xml).toContain('<roothash>')
    expect(xml).toContain('<path>a/b/c/d</path>')
    const h = await readHistory(root)
    expect(h.generations).toHaveLength(1)
    expect(h.generations[0]!.files.map((f) => f.path).sort()).toEqual(files.map((f) => f.path).sort())
    const v = await verifyHistory(root, hashFile)
    expect(v.checks.every((c) => c.result === 'ok')).toBe(true)
    expect(v.unlisted).toEqual([])
  })

  it('continues a history: the chain grows, generation numbers follow', async () => {
    const root = path.join(dir, 'B002')
    const files = await makeCard(root, { 'x.mov': 'abc' })
    await writeGeneration(root, { files, process: 'in-place', tool, now: 1_700_000_000_000 })
    const g2 = await writeGeneration(root, { files: files.map((f) => ({ ...f, action: 'verified' as const })), process: 'transfer', tool, now: 1_700_000_300_000 })
    expect(g2.generation).toBe(2)
    const h = await readHistory(root)
    expect(h.generations.map((g) => [g.generation, g.process])).toEqual([[1, 'in-place'], [2, 'transfer']])
  })

  it('reads, verifies and continues the ASC reference samples (a history written by another tool)', async () => {
    for (const scenario of ['scenario_01/travel_01/A002R2EC', 'scenario_02/file_server/A002R2EC', 'scenario_03/file_server/A002R2EC']) {
      // the ASC samples (shared/ascmhl/samples), bundled under their license in test/fixtures
      const from = path.resolve(new URL('../../../test/fixtures/ascmhl/samples', import.meta.url).pathname, scenario)
      const root = path.join(dir, scenario.replace(/\//g, '_'), 'A002R2EC')
      await fs.cp(from, root, { recursive: true })
      const before = await readHistory(root)
      expect(before.generations.length).toBeGreaterThan(0)
      const v = await verifyHistory(root, hashFile)
      expect(v.checks.filter((c) => c.result !== 'ok')).toEqual([])
      const latest = latestEntries(before)
      const next = await writeGeneration(root, {
        files: [...latest.values()].map((e) => ({ ...e, action: 'verified' as const, hashdate: 1_700_000_000_000 })),
        process: 'in-place', tool, now: 1_700_000_000_000,
      })
      expect(next.generation).toBe(before.generations.length + 1)
      const after = await readHistory(root)
      expect(after.generations).toHaveLength(before.generations.length + 1)
      // our generation reproduces the directory hashes ascmhl.py wrote
      const ours = await fs.readFile(next.file, 'utf8')
      if (latest.has('Clips/A002C006_141024_R2EC.mov') && latest.size === 3) {
        expect(ours).toContain('4c226b42e27d7af3')
        expect(ours).toContain('f557f8ca8e5a88ef')
      }
    }
  })

  it('detects a tampered generation, a deleted generation, and a changed file', async () => {
    const root = path.join(dir, 'C003')
    const files = await makeCard(root, { 'a.mov': 'one', 'b.mov': 'two' })
    const g = await writeGeneration(root, { files, process: 'in-place', tool, now: 1_700_000_000_000 })
    await fs.writeFile(path.join(root, 'b.mov'), 'TWO')
    const v = await verifyHistory(root, hashFile)
    expect(v.checks.find((c) => c.path === 'b.mov')).toMatchObject({ result: 'failed', algo: 'xxh64' })
    await fs.rm(path.join(root, 'a.mov'))
    expect((await verifyHistory(root, hashFile)).checks.find((c) => c.path === 'a.mov')?.result).toBe('missing')
    const xml = await fs.readFile(g.file, 'utf8')
    await fs.writeFile(g.file, xml.replace('<process>in-place</process>', '<process>transfer</process>'))
    await expect(readHistory(root)).rejects.toMatchObject({ code: 'TAMPERED' })
    await fs.rm(g.file)
    await expect(readHistory(root)).rejects.toThrow(/listed in ascmhl_chain.xml but missing/)
  })

  it('malformed and schema-invalid files give MHL_INVALID naming the file and line', async () => {
    const root = path.join(dir, 'D004')
    const files = await makeCard(root, { 'a.mov': 'one' })
    const g = await writeGeneration(root, { files, process: 'in-place', tool, now: 1_700_000_000_000 })
    const chainFile = path.join(root, 'ascmhl', 'ascmhl_chain.xml')
    const chain = await fs.readFile(chainFile, 'utf8')
    await fs.writeFile(chainFile, chain.replace('</ascmhldirectory>', '<oops>'))
    await expect(readHistory(root)).rejects.toThrow(/ascmhl_chain\.xml:\d+: malformed XML/)
    const bad = (await fs.readFile(g.file, 'utf8')).replace('<process>in-place</process>', '<process>teleport</process>')
    await expect(validateMhl(g.file, bad, 'hashlist')).rejects.toThrow(/0001_D004_.*\.mhl:\d+: not valid ASC MHL/)
  })
})
