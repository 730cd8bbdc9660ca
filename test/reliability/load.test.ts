// Load: one peer (the DIT cart) serves N members at once on loopback while an offload runs
// through it. Every member receives every file (no one starves), the cart's memory and CPU stay
// bounded. N = 4 by default, 10 under ONSET_FULL=1. Memory is sampled on every event the cart
// prints (event-driven, not timed); CPU from /proc/<pid>/stat.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeSyntheticCard, type SyntheticCard } from '../../src/media/synthetic-card.ts'
import { onset, onsetJson, PeerProcess } from '../helpers/processes.ts'
import { lastJson, runCli, scale, tmpDir } from './helpers.ts'

let dir: string
const procs: PeerProcess[] = []
const D = (n: string) => path.join(dir, n)
const start = (data: string, args: string[]) => { const p = new PeerProcess(data, args); procs.push(p); return p }
beforeAll(async () => { dir = await tmpDir('load') })
afterAll(async () => {
  for (const p of procs) await p.stop()
  await fs.rm(dir, { recursive: true, force: true })
})

async function rssKiB(pid: number): Promise<number> {
  try { return Number(/VmRSS:\s+(\d+)/.exec(await fs.readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) } catch { return 0 }
}
async function cpuSeconds(pid: number): Promise<number> {
  const f = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  return (Number(f[11]) + Number(f[12])) / 100 // utime + stime, in clock ticks (100 Hz)
}

describe('one peer serving many', () => {
  it('N members sync at once from one cart while it offloads another card; everyone gets everything; memory and CPU bounded', async () => {
    const n = scale(4, 10)
    const a: SyntheticCard = await makeSyntheticCard({ root: D('cards'), card: 'A001', clips: 3, clipBytes: 1_500_000, sidecars: 3, seed: 'load-a' })
    const b: SyntheticCard = await makeSyntheticCard({ root: D('cards'), card: 'B001', clips: 3, clipBytes: 1_500_000, sidecars: 3, seed: 'load-b' })
    expect(onset(D('dit'), ['--no-passphrase', 'init']).code).toBe(0)
    expect(onset(D('dit'), ['production', 'create', 'Load', '--as', 'cart']).code).toBe(0)
    expect(onsetJson(D('dit'), ['offload', a.dir, '--card', 'A001', '--dest', D('dit-raid')]).j?.ok).toBe(true)
    const tokens = Array.from({ length: n }, (_, i) => onsetJson(D('dit'), ['invite', '--role', i % 2 ? 'post' : 'lab']).j.token as string)
    const dit = start(D('dit'), ['--listen', '127.0.0.1:0'])
    const port = (await dit.started()).port!
    for (let i = 0; i < n; i++) {
      expect(onset(D(`m${i}`), ['--no-passphrase', 'init']).code).toBe(0)
      const j = onset(D(`m${i}`), ['join', tokens[i]!, '--connect', `127.0.0.1:${port}`])
      expect(j.code, j.err).toBe(0)
    }
    const pid = dit.child.pid!
    let peak = await rssKiB(pid)
    const base = peak
    const cpu0 = await cpuSeconds(pid)
    const sample = () => { void rssKiB(pid).then((r) => { peak = Math.max(peak, r) }) }
    dit.child.stdout!.on('data', sample)
    const t0 = Date.now()
    const members = Array.from({ length: n }, (_, i) => start(D(`m${i}`), ['--connect', `127.0.0.1:${port}`]))
    const total = a.files.length + b.files.length
    const done = members.map((m, i) => {
      let got = 0
      return m.waitFor((l) => l.event === 'replica-received' && ++got >= total, `member ${i} to receive all ${total} files`, 240_000).then(() => Date.now() - t0)
    })
    const firsts = members.map((m) => m.waitFor((l) => l.event === 'replica-received', 'a first file', 240_000).then(() => Date.now() - t0))
    // the offload runs through the serving peer while everyone pulls from it
    // (spawned asynchronously: a synchronous spawn would stall this process's clock and events)
    const off = await runCli(D('dit'), ['--json', 'offload', b.dir, '--card', 'B001', '--dest', D('dit-raid')])
    expect(lastJson(off.out)?.ok, off.err).toBe(true)
    const times = await Promise.all(done)
    const first = await Promise.all(firsts)
    const cpu = (await cpuSeconds(pid)) - cpu0
    for (const m of members) await m.stop()
    await dit.stop()
    const sorted = [...times].sort((x, y) => x - y)
    const median = sorted[Math.floor(n / 2)]!
    // nobody starves: every member got its first file early and finished within a bounded factor of the median
    expect(Math.max(...first), `first files at ${first.join(', ')} ms`).toBeLessThan(60_000)
    expect(sorted.at(-1)!, `finish times ${sorted.join(', ')} ms`).toBeLessThan(3 * median + 15_000)
    expect(peak - base, `peak RSS ${Math.round(peak / 1024)} MiB (from ${Math.round(base / 1024)} MiB)`).toBeLessThan(400 * 1024)
    expect(cpu, `cart CPU ${cpu.toFixed(1)} s`).toBeLessThan(120)
    // and the served data is right: each member's log has every file once, nothing rejected
    for (let i = 0; i < n; i++) {
      const r = onsetJson(D(`m${i}`), ['log'])
      expect(r.j, `onset log on member ${i}: ${r.err}`).not.toBeNull()
      const log = r.j as { rejected: unknown[], events: { type: string }[] }
      expect(log.rejected).toEqual([])
      expect(log.events.filter((e) => e.type === 'file.recorded')).toHaveLength(total)
    }
    process.stdout.write(`load: ${n} members, finish ${sorted.join('/')} ms, first ${first.join('/')} ms, cart peak RSS +${Math.round((peak - base) / 1024)} MiB, CPU ${cpu.toFixed(1)} s\n`)
  }, 600_000)
})
