// The real binary through a whole local workflow: init, production, offload to two drives,
// safe-to-format, verify catching a flipped byte, export, notes, policy, members, log.
import { spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeSyntheticCard } from '../src/media/synthetic-card.ts'

const BIN = path.resolve('bin/onset.js')
let dir: string
let data: string

function onset(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, ONSET_DATA: data }
  delete env.ONSET_PASSPHRASE
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
const json = (...args: string[]) => { const r = onset('--json', ...args); return { ...r, j: r.out.trim() ? JSON.parse(r.out.trim().split('\n').pop()!) : null } }

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-cliprod-'))
  data = path.join(dir, 'data')
  await makeSyntheticCard({ root: path.join(dir, 'cards'), card: 'A001', clips: 2, clipBytes: 3_000_000, sidecars: 3 })
})
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }) })

describe('onset workflow on one peer', () => {
  it('commands needing a production say how to get one', () => {
    expect(onset('--no-passphrase', 'init').code).toBe(0)
    const r = onset('status')
    expect(r.code).toBe(5)
    expect(r.err).toMatch(/not part of any production.*production create/)
  })

  it('creates a production, offloads, and answers safe-to-format with evidence', () => {
    expect(json('production', 'create', 'Night Shoot', '--as', 'DIT cart').code).toBe(0)
    const off = json('offload', path.join(dir, 'cards', 'A001'), '--card', 'A001', '--dest', path.join(dir, 'd1'), '--dest', path.join(dir, 'd2'), '--hash', 'md5')
    expect(off.code).toBe(0)
    expect(off.j).toMatchObject({ event: 'done', ok: true, files: 8 })
    expect(off.out.split('\n').filter((l) => l.includes('"progress"')).length).toBeGreaterThan(0)
    // default policy wants a second peer: not safe, exit 1, and it says what is missing
    const s = onset('safe-to-format', 'A001')
    expect(s.code).toBe(1)
    expect(s.out).toMatch(/NOT SAFE TO FORMAT/)
    expect(s.out).toMatch(/needs 1 more peer, 1 more off the cart/)
    const st = json('status')
    expect(st.j.cards[0]).toMatchObject({ card: 'A001', state: 'UNSAFE', copies: 3, copiesWanted: 3 })
    expect(json('policy', 'set', '--copies', '3', '--peers', '1', '--offsite', '0').code).toBe(0)
    const ok = json('safe-to-format', 'A001')
    expect(ok.code).toBe(0)
    expect(ok.j.safe).toBe(true)
    expect(ok.j.files[0].copies).toHaveLength(3)
  })

  it('verify names the damaged file, records it, and the card turns DEGRADED', async () => {
    const victim = (await fs.readdir(path.join(dir, 'd2', 'A001', 'Clips'))).find((n) => n.endsWith('.mxf'))!
    const f = path.join(dir, 'd2', 'A001', 'Clips', victim)
    const fh = await fs.open(f, 'r+'); await fh.write(Buffer.from([0xff]), 0, 1, 4096); await fh.close()
    const v = json('verify', '--no-repair', '--card', 'A001', '--dest', path.join(dir, 'd1'), '--dest', path.join(dir, 'd2'), '--vault')
    expect(v.code).toBe(1)
    expect(v.j.failed.map((x: { path: string }) => x.path)).toEqual([`Clips/${victim}`])
    expect(v.err).toMatch(/failed verification/)
    const st = json('status')
    expect(st.j.cards[0].state).toBe('DEGRADED')
    expect(st.j.alerts.some((a: { kind: string, message: string }) => a.kind === 'copy-failed' && a.message.includes(victim))).toBe(true)
    expect(onset('safe-to-format', 'A001').code).toBe(1)
  })

  it('verify rewrites a damaged plain copy from the vault, re-verifies it, and the log keeps both the failure and the repair', async () => {
    const victim = (await fs.readdir(path.join(dir, 'd2', 'A001', 'Clips'))).find((n) => n.endsWith('.mxf'))!
    const original = await fs.readFile(path.join(dir, 'cards', 'A001', 'Clips', victim))
    const v = json('verify', '--card', 'A001', '--dest', path.join(dir, 'd2'))
    expect(v.code).toBe(0)
    expect(v.j.repaired.map((x: { path: string }) => x.path)).toEqual([`Clips/${victim}`])
    expect(v.j.repaired[0].detail).toMatch(/was failed: xxh64/)
    expect((await fs.readFile(path.join(dir, 'd2', 'A001', 'Clips', victim))).equals(original)).toBe(true)
    expect((await fs.readdir(path.join(dir, 'd2', 'A001'))).filter((n) => n.startsWith('.onset-repair'))).toEqual([])
    expect(json('status').j.cards[0].state).toBe('PROTECTED')
    const tl = json('log', '--card', 'A001')
    const lines = JSON.stringify(tl.j)
    expect(lines).toMatch(/repaired: failed/)
    expect(onset('safe-to-format', 'A001').code).toBe(0)
  })

  it('report: a Markdown and an HTML custody report with every file, hash, copy and verification, escaped', async () => {
    const m = onset('report', 'A001')
    expect(m.code).toBe(0)
    expect(m.out).toMatch(/^# Custody report — A001/)
    expect(m.out).toMatch(/\| State \| PROTECTED: the copy policy is met/)
    const files = json('log', '--card', 'A001').j.events.filter((e: { type: string }) => e.type === 'file.recorded').length
    expect((m.out.match(/^### /gm) ?? []).length).toBe(files)
    const victim = (await fs.readdir(path.join(dir, 'd2', 'A001', 'Clips'))).find((n) => n.endsWith('.mxf'))!
    // the failed verification and the repair of the plain copy are both in the report
    expect(m.out).toMatch(/\| ↳ earlier \| [^|]+ \| [^|]+ \| FAILED \|/)
    expect(m.out).toContain(`Clips/${victim}`)
    expect(m.out).toMatch(/## ASC MHL/)
    const j = json('report', 'A001').j
    expect(j.files.every((f: { hashes: { xxh64?: string } }) => /^[0-9a-f]{16}$/.test(f.hashes.xxh64 ?? ''))).toBe(true)
    expect(onset('note', 'A001', 'A001C001', '<script>alert(1)</script> & co').code).toBe(0)
    const h = json('report', 'A001', '--format', 'html', '--out', path.join(dir, 'A001.html'))
    expect(h.code).toBe(0)
    const html = await fs.readFile(path.join(dir, 'A001.html'), 'utf8')
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('<td class="ok">PROTECTED')
    expect(html).not.toMatch(/<script>/)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co')
    expect(onset('report', 'A001', '--format', 'pdf').err).toMatch(/--format is md or html/)
    expect(onset('report', 'Z999').code).toBe(5)
  })

  it('export rebuilds the card from the vault with an MHL generation', async () => {
    const e = json('export', 'A001', path.join(dir, 'out'))
    expect(e.code).toBe(0)
    expect(e.j.ok).toBe(true)
    expect(e.j.mhl.generation).toBe(1)
    const a = await fs.readFile(path.join(dir, 'cards', 'A001', 'CARDINFO.xml'))
    expect((await fs.readFile(path.join(dir, 'out', 'A001', 'CARDINFO.xml'))).equals(a)).toBe(true)
  })

  it('notes, members, log, and clear errors for bad input', () => {
    const n = json('note', 'A001', 'A001C001', 'hair in gate', '--circle', '--tag', 'hero')
    expect(n.j).toMatchObject({ note: 'hair in gate', circled: true, tags: ['hero'] })
    expect(json('members').j[0]).toMatchObject({ role: 'admin', name: 'DIT cart', state: 'active' })
    const log = onset('log', '--card', 'A001')
    expect(log.out).toMatch(/registered card A001/)
    expect(log.out).toMatch(/edited notes of A001/)
    expect(onset('safe-to-format', 'Z999').code).toBe(5)
    expect(onset('safe-to-format', '../etc').err).toMatch(/not a card name/)
    expect(onset('member', 'add', 'abc', '--role', 'lab').err).toMatch(/not a peer key/)
    expect(onset('member', 'add', 'ab'.repeat(32), '--role', 'boss').err).toMatch(/unknown role/)
    expect(onset('offload', path.join(dir, 'nope'), '--card', 'A002', '--dest', path.join(dir, 'd1')).code).toBe(5)
  })

  it('mhl import records a history written by another tool, verifies it, and names a damaged file', async () => {
    const src = path.resolve('test/fixtures/ascmhl/samples/scenario_02/file_server/A002R2EC')
    const dst = path.join(dir, 'imported', 'A002R2EC')
    await fs.cp(src, dst, { recursive: true })
    const r = json('mhl', 'import', dst)
    expect(r.code).toBe(0)
    expect(r.j).toMatchObject({ card: 'A002R2EC', generations: 2, files: 3, ok: true })
    expect(onset('log', '--card', 'A002R2EC').out).toMatch(/wrote ASC MHL generation 2/)
    const copy = path.join(dir, 'imported2', 'A002R2EC')
    await fs.cp(src, copy, { recursive: true })
    await fs.writeFile(path.join(copy, 'Sidecar.txt'), 'changed')
    const bad = json('mhl', 'import', copy)
    expect(bad.code).toBe(1)
    expect(bad.j.failed.map((f: { path: string }) => f.path)).toEqual(['Sidecar.txt'])
    const notMhl = onset('mhl', 'import', path.join(dir, 'cards', 'A001'))
    expect(notMhl.code).toBe(5)
    expect(notMhl.err).toMatch(/no ASC MHL history/)
  })
})
