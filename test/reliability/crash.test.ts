// Crash safety: kill -9 at seeded points during offload, verify, export, key-file writes and
// sync. After each kill the store and log open, the invariants hold, and rerunning the job gives
// the same result as an uninterrupted run: the same files and hashes, the same custody facts,
// no duplicate records. Kill points are chosen by a seeded PRNG among the counted fs operations
// of an uninterrupted run (test/fixtures/crash-cli.ts), so every run kills at the same places.
// Reduced counts by default; ONSET_FULL=1 (npm run reliability) runs ≥ 100 kill points in all.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readKeyFile } from '../../src/crypto/keyfile.ts'
import { readHistory } from '../../src/media/mhl/history.ts'
import { makeSyntheticCard, type SyntheticCard } from '../../src/media/synthetic-card.ts'
import { onset, onsetJson, PeerProcess } from '../helpers/processes.ts'
import { countOps, FULL, lastJson, randInt, rng, runCli, scale, tmpDir, treeHashes } from './helpers.ts'

let dir: string
let card: SyntheticCard
const procs: PeerProcess[] = []
export const killCounts: Record<string, number> = {}
const D = (n: string) => path.join(dir, n)

beforeAll(async () => {
  dir = await tmpDir('crash')
  card = await makeSyntheticCard({ root: D('cards'), card: 'A001', clips: 3, clipBytes: 1_500_000, sidecars: 3, seed: 'crash' })
})
afterAll(async () => {
  for (const p of procs) await p.stop()
  await fs.rm(dir, { recursive: true, force: true })
})

/** A fresh peer with the same names (a Corestore cannot be copied: it is bound to its inode). */
function fresh(data: string): string {
  expect(onset(data, ['--no-passphrase', 'init']).code).toBe(0)
  expect(onset(data, ['production', 'create', 'Crash', '--as', 'cart']).code).toBe(0)
  return data
}

/** What must be the same after crash + rerun as after an uninterrupted run. */
async function facts(data: string, dest: string | null) {
  const stf = onsetJson(data, ['safe-to-format', 'A001']).j as { unrecorded: number, files: { path: string, size: number, xxh64: string, copies: { where: string }[] }[] }
  const where = (w: string) => w.replace(/:.*$/, ':dest') // the destination's name differs per trial
  const files = stf.files.map((f) => ({ path: f.path, size: f.size, xxh64: f.xxh64, copies: f.copies.map((c) => where(c.where)).sort() }))
  const log = onsetJson(data, ['log']).j as { rejected: unknown[], events: { type: string, path: string | null, text: string }[] }
  const recordedPaths = log.events.filter((e) => e.type === 'file.recorded').map((e) => e.path)
  const kinds = [...new Set(log.events.map((e) => `${e.type} ${e.path ?? ''}`))].sort()
  let tree: Record<string, string> | null = null
  let mhl: string[] | null = null
  if (dest) {
    tree = await treeHashes(path.join(dest, 'A001'), (r) => r === 'ascmhl')
    const h = await readHistory(path.join(dest, 'A001'))
    const last = h.generations[h.generations.length - 1]!
    mhl = last.files.map((f) => `${f.path} ${JSON.stringify(f.hashes)}`).sort()
  }
  return { unrecorded: stf.unrecorded, files, rejected: log.rejected, recordedPaths: recordedPaths.sort(), kinds, tree, mhl }
}

function points(seed: number, n: number, total: number): number[] {
  const r = rng(seed)
  const s = new Set<number>()
  while (s.size < Math.min(n, total)) s.add(randInt(r, 1, total))
  return [...s].sort((a, b) => a - b)
}

describe('kill -9 during offload', () => {
  it('at seeded fs operations: restart opens, rerun completes, result equals an uninterrupted run', async () => {
    const ref = fresh(D('off-ref'))
    const args = (d: string) => ['--json', 'offload', card.dir, '--card', 'A001', '--dest', d]
    const { ops, ran } = await countOps(ref, args(D('off-ref-raid')), D('off-ops'), { ONSET_CRASH_TRACE: D('off-trace') })
    expect(lastJson(ran.out)?.ok, ran.err).toBe(true)
    expect(ops).toBeGreaterThan(20)
    const want = await facts(ref, D('off-ref-raid'))
    expect(want.recordedPaths).toHaveLength(card.files.length)
    // besides the seeded points, always: just before the journal is first written, i.e. after the
    // custody records of the copied files went into the log (a rerun must not record them again)
    const trace = (await fs.readFile(D('off-trace'), 'utf8')).split('\n')
    const journalAt = Number(trace.find((l) => / open \S*journal\S*\.jsonl/.test(l))?.split(' ')[0] ?? NaN)
    expect(journalAt).toBeGreaterThan(0)
    const at = [...new Set([...points(9001, scale(2, 50), ops), journalAt])].sort((x, y) => x - y)
    let killed = 0
    for (const k of at) {
      const data = fresh(D(`off-${k}`))
      const raid = D(`off-${k}-raid`)
      const c = await runCli(data, args(raid), { at: k })
      if (c.signal === 'SIGKILL') killed++
      const again = onsetJson(data, args(raid).slice(1))
      expect(again.j?.ok, `rerun after kill at op ${k}/${ops}: ${again.err}`).toBe(true)
      const got = await facts(data, raid)
      expect(got, `after kill at op ${k}/${ops}`).toEqual(want)
      const v = onsetJson(data, ['verify', '--vault', '--dest', raid])
      expect(v.j?.ok, `verify after kill at op ${k}: ${v.err}`).toBe(true)
      await fs.rm(data, { recursive: true, force: true }); await fs.rm(raid, { recursive: true, force: true })
    }
    expect(killed).toBeGreaterThanOrEqual(Math.ceil(at.length * 0.9)) // op counts can vary a little between runs
    killCounts.offload = killed
    process.stdout.write(`crash offload: ${killed} kill -9 at ${at.length} seeded points of ${ops} fs operations\n`)
  }, FULL ? 3_600_000 : 600_000)
})

describe('kill -9 during verify and export', () => {
  let data: string
  let raid: string
  beforeAll(async () => {
    data = fresh(D('ve'))
    raid = D('ve-raid')
    expect(onsetJson(data, ['offload', card.dir, '--card', 'A001', '--dest', raid]).j?.ok).toBe(true)
  }, 60_000)

  it('verify: killed at seeded points, the store opens and a rerun reports every copy intact, recorded once per run', async () => {
    const args = ['--json', 'verify', '--vault', '--dest', raid]
    const { ops, ran } = await countOps(data, args, D('ve-ops'))
    const want = lastJson(ran.out) as { ok: boolean, checked: number } | null
    expect(want?.ok, `${ran.out.slice(-500)} ${ran.err}`).toBe(true)
    const before = await facts(data, raid)
    let killed = 0
    for (const k of points(4242, scale(1, 15), ops)) {
      const c = await runCli(data, args, { at: k })
      if (c.signal === 'SIGKILL') killed++
      const again = onsetJson(data, args.slice(1))
      expect(again.j, `rerun after kill at op ${k}/${ops}: ${again.err}`).toMatchObject({ ok: true, checked: want!.checked, failed: [] })
      expect(await facts(data, raid), `after kill at op ${k}`).toEqual(before)
    }
    expect(killed).toBeGreaterThan(0)
    killCounts.verify = killed
    process.stdout.write(`crash verify: ${killed} kill -9 of ${ops} fs operations\n`)
  }, FULL ? 1_800_000 : 300_000)

  it('export: killed at seeded points, a rerun into the same folder rebuilds the card byte for byte', async () => {
    const args = (out: string) => ['--json', 'export', 'A001', out]
    const { ops, ran } = await countOps(data, args(D('ex-ref')), D('ex-ops'))
    expect(lastJson(ran.out)?.ok, ran.err).toBe(true)
    const want = await treeHashes(path.join(D('ex-ref'), 'A001'), (r) => r === 'ascmhl')
    expect(Object.keys(want).sort()).toEqual(card.files.map((f) => f.path).sort())
    let killed = 0
    for (const k of points(777, scale(1, 15), ops)) {
      const out = D(`ex-${k}`)
      const c = await runCli(data, args(out), { at: k })
      if (c.signal === 'SIGKILL') killed++
      const again = onsetJson(data, args(out).slice(1))
      expect(again.j?.ok, `rerun after kill at op ${k}/${ops}: ${again.err}`).toBe(true)
      expect(await treeHashes(path.join(out, 'A001'), (r) => r === 'ascmhl'), `after kill at op ${k}`).toEqual(want)
      const h = await readHistory(path.join(out, 'A001'))
      expect(h.generations.at(-1)!.files.map((f) => f.path).sort()).toEqual(Object.keys(want).sort())
      await fs.rm(out, { recursive: true, force: true })
    }
    expect(killed).toBeGreaterThan(0)
    killCounts.export = killed
    process.stdout.write(`crash export: ${killed} kill -9 of ${ops} fs operations\n`)
    const f = await facts(data, raid)
    expect(f.rejected).toEqual([])
    expect(f.recordedPaths).toHaveLength(card.files.length)
  }, FULL ? 1_800_000 : 300_000)
  it('an interrupted export (files already in place, no MHL yet) resumes on a rerun; a different file in the way is still a conflict', async () => {
    const out = D('ex-resume')
    expect(onsetJson(data, ['export', 'A001', out]).j?.ok).toBe(true)
    const want = await treeHashes(path.join(out, 'A001'), (r) => r === 'ascmhl')
    // as left by a kill or a full disk after some files got their final names
    await fs.rm(path.join(out, 'A001', 'ascmhl'), { recursive: true })
    const gone = card.files.filter((f) => f.path.endsWith('.mxf'))[1]!
    await fs.rm(path.join(out, 'A001', gone.path))
    const again = onsetJson(data, ['export', 'A001', out])
    expect(again.j?.ok, again.err).toBe(true)
    expect(await treeHashes(path.join(out, 'A001'), (r) => r === 'ascmhl')).toEqual(want)
    // protection kept: a file that is not the recorded one is never taken over
    await fs.rm(path.join(out, 'A001', 'ascmhl'), { recursive: true })
    await fs.appendFile(path.join(out, 'A001', gone.path), 'x')
    const conflict = onsetJson(data, ['export', 'A001', out])
    expect(conflict.code).toBe(5)
    expect(conflict.err).toMatch(/already exists/)
  }, 120_000)
})

describe('kill -9 during key-file writes', () => {
  it('init and production create: killed at every seeded fs operation, the key file is old or new, never torn; a rerun completes', async () => {
    const cInit = await countOps(D('kf-ref'), ['--no-passphrase', 'init'], D('kf-ops1'))
    expect(cInit.ran.code, cInit.ran.err).toBe(0)
    const cProd = await countOps(D('kf-ref'), ['production', 'create', 'Crash', '--as', 'cart'], D('kf-ops2'))
    expect(cProd.ran.code, cProd.ran.err).toBe(0)
    let killed = 0
    const n = scale(1, 15)
    for (const k of points(31337, n, cInit.ops)) {
      const data = D(`kfi-${k}`)
      const c = await runCli(data, ['--no-passphrase', 'init'], { at: k })
      if (c.signal === 'SIGKILL') killed++
      // the key file is either absent (init reruns) or complete (whoami reads it); never torn
      const who = onsetJson(data, ['whoami'])
      if (who.code === 0) expect(who.j.peer ?? who.j.peerKey ?? who.j.identity, who.out).toBeTruthy()
      else {
        expect(who.err, `whoami after kill at init op ${k}/${cInit.ops}`).toMatch(/^onset: /)
        expect(who.err).not.toMatch(/internal error|\n\s+at /)
        const again = onset(data, ['--no-passphrase', 'init'])
        expect(again.code, `init rerun after kill at op ${k}: ${again.err}`).toBe(0)
      }
      expect(await readKeyFile(path.join(data, 'identity.key'), undefined)).toBeTruthy()
      await fs.rm(data, { recursive: true, force: true })
    }
    for (const k of points(4711, n, cProd.ops)) {
      const data = D(`kfp-${k}`)
      expect(onset(data, ['--no-passphrase', 'init']).code).toBe(0)
      const keyBefore = await readKeyFile(path.join(data, 'identity.key'), undefined)
      const c = await runCli(data, ['production', 'create', 'Crash', '--as', 'cart'], { at: k })
      if (c.signal === 'SIGKILL') killed++
      const kf = await readKeyFile(path.join(data, 'identity.key'), undefined)
      expect(kf.identity.peerKey).toBe(keyBefore.identity.peerKey)
      if (kf.productions.length === 0) {
        const again = onset(data, ['production', 'create', 'Crash', '--as', 'cart'])
        expect(again.code, `production create rerun after kill at op ${k}/${cProd.ops}: ${again.err}`).toBe(0)
      }
      const st = onsetJson(data, ['status'])
      expect(st.code, `status after kill at production-create op ${k}: ${st.err}`).toBe(0)
      expect(st.j.production.name).toBe('Crash')
      expect((await readKeyFile(path.join(data, 'identity.key'), undefined)).productions).toHaveLength(1)
      await fs.rm(data, { recursive: true, force: true })
    }
    expect(killed).toBeGreaterThan(0)
    killCounts.keyfile = killed
    process.stdout.write(`crash key files: ${killed} kill -9 (init ${cInit.ops} ops, production create ${cProd.ops} ops)\n`)
  }, FULL ? 1_800_000 : 300_000)
})

describe('kill -9 while the store is first created', () => {
  it('an empty device file and no database (killed right after the file was created) do not block the data directory', async () => {
    const data = D('torn')
    expect(onset(data, ['--no-passphrase', 'init']).code).toBe(0)
    await fs.mkdir(path.join(data, 'corestore'), { recursive: true })
    await fs.writeFile(path.join(data, 'corestore', 'CORESTORE'), '') // as a kill -9 between its open and its write leaves it
    const r = onset(data, ['production', 'create', 'Crash', '--as', 'cart'])
    expect(r.code, r.err).toBe(0)
    expect(onsetJson(data, ['status']).j.production.name).toBe('Crash')
  }, 60_000)
})

describe('kill -9 during sync', () => {
  it('the receiving lab is killed at seeded replica counts (and the serving cart once); every restart resumes; the result equals a clean sync', async () => {
    const cards = scale(2, 4)
    const dit = fresh(D('sy-dit'))
    const srcs: SyntheticCard[] = [card]
    for (let i = 2; i <= cards; i++) srcs.push(await makeSyntheticCard({ root: D('sy-cards'), card: `A00${i}`, clips: 3, clipBytes: 1_500_000, sidecars: 3, seed: `sync${i}` }))
    for (const s of srcs) expect(onsetJson(dit, ['offload', s.dir, '--card', path.basename(s.dir), '--dest', D('sy-raid')]).j?.ok).toBe(true)
    const total = srcs.reduce((n, s) => n + s.files.length, 0)
    const token = onsetJson(dit, ['invite', '--role', 'lab']).j.token as string
    const start = (data: string, args: string[]) => { const p = new PeerProcess(data, args); procs.push(p); return p }
    const kill = async (p: PeerProcess) => {
      const exited = new Promise<void>((r) => p.child.once('exit', () => r()))
      if (p.child.pid !== undefined) process.kill(p.child.pid, 'SIGKILL')
      await exited
    }
    let server = start(dit, ['--listen', '127.0.0.1:0'])
    const port = (await server.started()).port!
    const lab = D('sy-lab')
    expect(onset(lab, ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(lab, ['join', token, '--connect', `127.0.0.1:${port}`]).code).toBe(0)

    const r = rng(5150)
    const kills = scale(2, 10)
    let killed = 0
    let received = 0
    for (let i = 0; i < kills && received < total; i++) {
      const p = start(lab, ['--connect', `127.0.0.1:${port}`])
      const k = randInt(r, 1, Math.max(1, Math.floor((total - received) / 2)))
      let seen = 0
      const l = await p.waitFor((x) => x.event === 'replica-received' && ++seen >= k, `replica ${k} after restart ${i}`, 120_000).catch(() => null)
      if (!l) break // nothing left to receive
      if (i === 1) { await kill(server); server = start(dit, ['--listen', `127.0.0.1:${port}`]); await server.started() } // the serving cart dies once too
      await kill(p)
      killed++
      received += p.lines.filter((x) => x.event === 'replica-received').length
    }
    expect(killed).toBeGreaterThan(0)
    const p = start(lab, ['--connect', `127.0.0.1:${port}`])
    await p.started()
    type Status = { cards: { card: string, state: string }[] }
    let st: Status | null = null
    for (let i = 0; i < 600; i++) {
      const got = onsetJson(lab, ['status']).j as Status | null
      st = got
      if (got && got.cards.length === cards && got.cards.every((c) => c.state === 'PROTECTED')) break
      await new Promise((res) => setTimeout(res, 200)) // polling the lab's own view, not a synchronisation guess
    }
    expect(st!.cards.map((c) => c.state)).toEqual(srcs.map(() => 'PROTECTED'))
    await p.stop(); await server.stop()
    const log = onsetJson(lab, ['log']).j as { rejected: unknown[], events: { type: string, path: string }[] }
    expect(log.rejected).toEqual([])
    expect(log.events.filter((e) => e.type === 'file.recorded')).toHaveLength(total)
    const v = onsetJson(lab, ['verify', '--vault'])
    expect(v.j?.ok, v.err).toBe(true)
    const ex = onsetJson(lab, ['export', 'A001', D('sy-export')])
    expect(ex.j?.ok, ex.err).toBe(true)
    expect(await treeHashes(path.join(D('sy-export'), 'A001'), (x) => x === 'ascmhl')).toEqual(await treeHashes(card.dir))
    killCounts.sync = killed + 1
    process.stdout.write(`crash sync: ${killed} kill -9 of the receiver (+1 of the server), ${total} files\n`)
  }, FULL ? 1_800_000 : 400_000)
})
