// Storage faults: bytes flipped, files truncated, extended, zeroed or deleted in plain copies and
// in ASC MHL histories → `onset verify` finds exactly the damaged file and says what is wrong;
// a full disk (a size-limited tmpfs, mounted by the test when it runs as root; skipped with the
// reason otherwise) at a destination, under the vault and under an export → a clear one-line
// error, the store still opens, nothing recorded that is not on disk, and a rerun with room
// completes. Seeded; counts scale with ONSET_FULL=1.
import { execFileSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeSyntheticCard, type SyntheticCard } from '../../src/media/synthetic-card.ts'
import { onset, onsetJson } from '../helpers/processes.ts'
import { randInt, rng, scale, tmpDir, treeHashes } from './helpers.ts'

let dir: string
let card: SyntheticCard
const mounts: string[] = []
const D = (n: string) => path.join(dir, n)
beforeAll(async () => {
  dir = await tmpDir('faults')
  card = await makeSyntheticCard({ root: D('cards'), card: 'A001', clips: 3, clipBytes: 1_500_000, sidecars: 3, seed: 'faults' })
})
afterAll(async () => {
  for (const m of mounts) { try { execFileSync('umount', [m]) } catch { /* already gone */ } }
  await fs.rm(dir, { recursive: true, force: true })
})

function fresh(data: string): string {
  expect(onset(data, ['--no-passphrase', 'init']).code).toBe(0)
  expect(onset(data, ['production', 'create', 'Faults', '--as', 'cart']).code).toBe(0)
  return data
}

interface Row { card: string, place: string, path: string, result: string, detail: string }
function verify(data: string, args: string[]) {
  const r = onsetJson(data, ['verify', '--no-repair', ...args])
  const j = r.j as { ok: boolean, failed: Row[], repaired?: Row[], checked: number } | null
  return { ...r, j }
}
function clearError(err: string): void {
  const lines = err.split('\n').filter((l) => l.trim() && !l.startsWith('onset: warning'))
  expect(lines.at(-1), err).toMatch(/^onset: \S/)
  expect(err).not.toMatch(/internal error|\n\s+at /)
}

const KINDS = ['flip', 'truncate', 'extend', 'zero', 'delete'] as const
type Kind = (typeof KINDS)[number]
async function damage(file: string, kind: Kind, r: () => number): Promise<string> {
  const size = (await fs.stat(file)).size
  if (kind === 'delete') { await fs.rm(file); return 'deleted' }
  if (kind === 'truncate') { const n = randInt(r, 0, Math.max(0, size - 1)); await fs.truncate(file, n); return `truncated to ${n}` }
  if (kind === 'extend') { await fs.appendFile(file, Buffer.from([randInt(r, 0, 255)])); return 'one byte appended' }
  const fh = await fs.open(file, 'r+')
  try {
    if (kind === 'zero') { const n = Math.min(size, 4096); await fh.write(Buffer.alloc(n), 0, n, 0); return `first ${n} bytes zeroed` }
    const at = randInt(r, 0, size - 1)
    const b = Buffer.alloc(1)
    await fh.read(b, 0, 1, at)
    b[0] = b[0]! ^ (1 << randInt(r, 0, 7))
    await fh.write(b, 0, 1, at)
    return `bit flipped at ${at}`
  } finally { await fh.close() }
}

describe('damaged plain copies and MHL histories', () => {
  let data: string
  let raid: string
  beforeAll(() => {
    data = fresh(D('pc'))
    raid = D('pc-raid')
    expect(onsetJson(data, ['offload', card.dir, '--card', 'A001', '--dest', raid]).j?.ok).toBe(true)
  }, 60_000)

  it('verify names exactly the damaged file, with the right result, for every kind of damage (seeded)', async () => {
    const r = rng(8080)
    const trials = scale(5, 40) // every kind of damage at least once
    const files = card.files.filter((f) => f.size > 0)
    for (let i = 0; i < trials; i++) {
      const f = files[randInt(r, 0, files.length - 1)]!
      const kind = KINDS[i % KINDS.length]!
      const target = path.join(raid, 'A001', f.path)
      const what = await damage(target, kind, r)
      const v = verify(data, ['--dest', raid])
      expect(v.code, `${f.path} ${what}: ${v.err}`).toBe(1)
      clearError(v.err)
      const fileRows = v.j!.failed.filter((x) => x.path !== 'ascmhl')
      expect(fileRows.map((x) => [x.path, x.result]), `${f.path} ${what}`).toEqual([[f.path, kind === 'delete' ? 'missing' : 'failed']])
      expect(fileRows[0]!.place).toBe(path.join(raid, 'A001'))
      if (kind !== 'delete') expect(fileRows[0]!.detail, what).toMatch(/size|xxh|hash|differs|bytes/i)
      // put the good file back: verify is clean again
      await fs.copyFile(path.join(card.dir, f.path), target)
      const ok = verify(data, ['--dest', raid])
      expect(ok.j?.ok, `after restoring ${f.path}: ${JSON.stringify(ok.j?.failed)}`).toBe(true)
    }
  }, 600_000)

  it('a changed, truncated or deleted MHL generation or chain is reported as the history, the data files stay ok', async () => {
    const mhlDir = path.join(raid, 'A001', 'ascmhl')
    const gen = (await fs.readdir(mhlDir)).find((n) => n.endsWith('.mhl'))!
    const r = rng(9090)
    for (const [name, kind] of [[gen, 'flip'], [gen, 'truncate'], [gen, 'delete'], ['ascmhl_chain.xml', 'flip'], ['ascmhl_chain.xml', 'delete']] as const) {
      const file = path.join(mhlDir, name)
      const keep = await fs.readFile(file)
      const what = await damage(file, kind, r)
      const v = verify(data, ['--dest', raid])
      expect(v.code, `${name} ${what}: ${v.err}`).toBe(1)
      clearError(v.err)
      expect(v.j!.failed.filter((x) => x.path !== 'ascmhl'), `${name} ${what}`).toEqual([])
      const mhlRows = v.j!.failed.filter((x) => x.path === 'ascmhl')
      expect(mhlRows.length, `${name} ${what}`).toBeGreaterThan(0)
      expect(mhlRows.map((x) => x.detail).join(' '), `${name} ${what}`).toMatch(/ascmhl|mhl|chain|generation|altered|TAMPERED|not listed|missing/i)
      await fs.writeFile(file, keep)
      expect(verify(data, ['--dest', raid]).j?.ok).toBe(true)
    }
  }, 300_000)
})

/** A size-limited tmpfs at `at` (root only); null when it cannot be mounted. */
function tinyDisk(at: string, size: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { stdio: 'ignore' })
    mounts.push(at)
    return at
  } catch { return null }
}
function grow(at: string, size: string): void { execFileSync('mount', ['-o', `remount,size=${size}`, at]) }

describe('a full disk', () => {
  it('at a destination: the others complete, only what is on the disk is recorded there, an alert; with room a rerun completes', async (ctx) => {
    await fs.mkdir(D('tiny1'))
    if (!tinyDisk(D('tiny1'), '3m')) return ctx.skip('cannot mount a size-limited tmpfs here (needs root); the full-disk cases are not run')
    const data = fresh(D('fd1'))
    const r = onsetJson(data, ['offload', card.dir, '--card', 'A001', '--dest', D('tiny1'), '--dest', D('fd1-raid')])
    expect(r.code, r.err).toBe(1)
    clearError(r.err)
    expect(r.out).toMatch(/no space left/i) // the destination's failure is named in the output
    expect(r.j!.problems.every((p: { place: string }) => p.place === D('tiny1'))).toBe(true)
    // every copy the log claims at the full disk is there and intact; none is claimed that is not
    const stf = onsetJson(data, ['safe-to-format', 'A001']).j as { files: { path: string, copies: { where: string }[] }[] }
    const claimed = stf.files.filter((f) => f.copies.some((c) => c.where.endsWith('/tiny1'))).map((f) => f.path).sort()
    const src = await treeHashes(card.dir)
    const there = await treeHashes(path.join(D('tiny1'), 'A001'), (x) => x === 'ascmhl')
    expect(Object.keys(there).filter((p) => !p.endsWith('.partial') && !p.includes('.onset-')).sort()).toEqual(claimed)
    for (const p of claimed) expect(there[p]).toBe(src[p])
    expect(stf.files.every((f) => f.copies.some((c) => c.where.endsWith('/fd1-raid')))).toBe(true)
    const log = onsetJson(data, ['log']).j as { events: { type: string, text: string }[] }
    expect(log.events.some((e) => e.type === 'alert.raised' && /space|full/i.test(e.text))).toBe(true)
    grow(D('tiny1'), '64m')
    const again = onsetJson(data, ['offload', card.dir, '--card', 'A001', '--dest', D('tiny1'), '--dest', D('fd1-raid')])
    expect(again.j?.ok, again.err).toBe(true)
    expect(await treeHashes(path.join(D('tiny1'), 'A001'), (x) => x === 'ascmhl')).toEqual(src)
    expect(verify(data, ['--dest', D('tiny1'), '--dest', D('fd1-raid'), '--vault']).j?.ok).toBe(true)
  }, 120_000)

  // Found by this suite: RocksDB's failure on a full data directory ("Batch was not applied", or
  // "While appending to file …: No space left on device") escaped as an internal error (exit 70,
  // stack trace). It is now DISK_FULL (src/peer/storage-errors.ts).
  it('under the vault (the data directory): a clear error, the store opens, nothing recorded that is not stored; with room a rerun completes', async (ctx) => {
    await fs.mkdir(D('tiny2'))
    if (!tinyDisk(D('tiny2'), '64m')) return ctx.skip('cannot mount a size-limited tmpfs here (needs root)')
    const data = fresh(path.join(D('tiny2'), 'data'))
    const used = Number(execFileSync('du', ['-sk', D('tiny2')], { encoding: 'utf8' }).split('\t')[0])
    grow(D('tiny2'), `${used + 2048}k`) // about 2 MiB left: less than the card
    const r = onsetJson(data, ['offload', card.dir, '--card', 'A001', '--dest', D('fd2-raid')])
    expect(r.code, r.out + r.err).toBe(7) // DISK_FULL
    clearError(r.err)
    expect(r.err).toMatch(/no space left/i)
    grow(D('tiny2'), '64m')
    const st = onsetJson(data, ['status'])
    expect(st.code, `the store opens after a full disk: ${st.err}`).toBe(0)
    const v = verify(data, ['--vault'])
    expect(v.j?.ok ?? true, `what is recorded in the vault is stored: ${JSON.stringify(v.j?.failed)}`).toBe(true)
    const again = onsetJson(data, ['offload', card.dir, '--card', 'A001', '--dest', D('fd2-raid')])
    expect(again.j?.ok, again.err).toBe(true)
    const f = onsetJson(data, ['log']).j as { rejected: unknown[], events: { type: string, path: string }[] }
    expect(f.rejected).toEqual([])
    expect(f.events.filter((e) => e.type === 'file.recorded').map((e) => e.path).sort()).toEqual(card.files.map((x) => x.path).sort())
    expect(verify(data, ['--vault', '--dest', D('fd2-raid')]).j?.ok).toBe(true)
  }, 120_000)

  it('under an export: a clear error, no copy recorded for what was not written; with room a rerun completes', async (ctx) => {
    await fs.mkdir(D('tiny3'))
    if (!tinyDisk(D('tiny3'), '2m')) return ctx.skip('cannot mount a size-limited tmpfs here (needs root)')
    const data = fresh(D('fd3'))
    expect(onsetJson(data, ['offload', card.dir, '--card', 'A001']).j?.ok).toBe(true)
    const r = onsetJson(data, ['export', 'A001', D('tiny3')])
    expect(r.code).not.toBe(0)
    expect(r.code).not.toBe(70)
    clearError(r.err)
    const stf = onsetJson(data, ['safe-to-format', 'A001']).j as { files: { path: string, copies: { where: string }[] }[] }
    const claimed = stf.files.filter((f) => f.copies.some((c) => c.where.endsWith('/tiny3'))).map((f) => f.path)
    const src = await treeHashes(card.dir)
    for (const p of claimed) expect((await treeHashes(path.join(D('tiny3'), 'A001'), (x) => x === 'ascmhl'))[p]).toBe(src[p])
    grow(D('tiny3'), '64m')
    const again = onsetJson(data, ['export', 'A001', D('tiny3')])
    expect(again.j?.ok, again.err).toBe(true)
    expect(await treeHashes(path.join(D('tiny3'), 'A001'), (x) => x === 'ascmhl')).toEqual(src)
  }, 120_000)
})
