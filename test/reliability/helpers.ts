// Shared by the reliability suites: seeded randomness, scaled counts (ONSET_FULL=1 for the full
// run), temp directories, tree hashes, and the crash-point runner (test/fixtures/crash-cli.ts).
import { spawn } from 'node:child_process'
import { createReadStream, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { hashStream } from '../../src/crypto/hashes.ts'

export const FULL = process.env.ONSET_FULL === '1'
/** `ci` in the reduced (default) run, `full` under ONSET_FULL=1 */
export const scale = (ci: number, full: number): number => (FULL ? full : ci)

/** mulberry32: a small deterministic PRNG */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
export const randInt = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))

export async function tmpDir(name: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `onset-${name}-`))
}

export async function treeHashes(root: string, skip: (rel: string) => boolean = () => false): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (d: string, rel: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name
      if (skip(r)) continue
      if (e.isDirectory()) await walk(path.join(d, e.name), r)
      else out[r] = (await hashStream(createReadStream(path.join(d, e.name)), ['xxh128'])).xxh128!
    }
  }
  await walk(root, '')
  return out
}

export const CRASH_CLI = path.resolve('test/fixtures/crash-cli.ts')

export interface Ran { code: number | null, signal: NodeJS.Signals | null, out: string, err: string, ms: number }

/** Runs `onset --data <data> ...args` through the crash injector; `at` = kill -9 before that fs operation (0: never). */
export function runCli(data: string, args: string[], o: { at?: number, countFile?: string, timeoutMs?: number, env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, ONSET_CRASH_AT: String(o.at ?? 0) }
    delete env.ONSET_DATA
    if (o.countFile) env.ONSET_CRASH_COUNT = o.countFile
    else delete env.ONSET_CRASH_COUNT
    const t0 = Date.now()
    const p = spawn(process.execPath, [CRASH_CLI, '--data', data, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = '', err = ''
    p.stdout.on('data', (d: Buffer) => { out += d.toString() })
    p.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const timer = setTimeout(() => { if (p.pid !== undefined) process.kill(p.pid, 'SIGKILL'); reject(new Error(`onset ${args.join(' ')} hung (at=${o.at}): ${err.slice(-1500)}`)) }, o.timeoutMs ?? 120_000)
    p.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, err, ms: Date.now() - t0 }) })
  })
}

/** The number of counted fs operations an uninterrupted run of the command performs (it runs it). */
export async function countOps(data: string, args: string[], countFile: string, env: NodeJS.ProcessEnv = {}): Promise<{ ops: number, ran: Ran }> {
  const ran = await runCli(data, args, { countFile, env })
  return { ops: Number(await fs.readFile(countFile, 'utf8')), ran }
}

export function lastJson(out: string): Record<string, unknown> | null {
  const lines = out.trim().split('\n').filter(Boolean)
  for (let i = lines.length - 1; i >= 0; i--) {
    try { return JSON.parse(lines[i]!) as Record<string, unknown> } catch { /* not JSON */ }
  }
  return null
}
