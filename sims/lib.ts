// Shared helpers for the benchmarks: timing, child processes with CPU and peak RSS, medians.
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'

export const MiB = 1024 * 1024

export interface Run { seconds: number, cpu: number, maxRssMiB: number, code: number | null, stdout: string }

/** Run a command; CPU (user+sys) and peak RSS come from GNU time when present, else from the child's rusage. */
export function run(cmd: string, args: string[], opts: { cwd?: string, env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const useTime = cmd !== 'sync'
    const p = useTime
      ? spawn('/usr/bin/time', ['-f', '__TIME__ %U %S %M', cmd, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = '', err = ''
    p.stdout.on('data', (d: Buffer) => { out += d.toString() })
    p.stderr.on('data', (d: Buffer) => { err += d.toString() })
    p.on('error', reject)
    p.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9
      const m = /__TIME__ ([\d.]+) ([\d.]+) (\d+)/.exec(err)
      if (code !== 0) { reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.slice(-800)}`)); return }
      resolve({ seconds, cpu: m ? Number(m[1]) + Number(m[2]) : 0, maxRssMiB: m ? Number(m[3]) / 1024 : 0, code, stdout: out })
    })
  })
}

export async function exists(cmd: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${cmd}`]).then(() => true, () => false)
}

export async function warm(dir: string): Promise<void> {
  await run('sync', [])
  await run('sh', ['-c', `find '${dir}' -type f -exec cat {} + > /dev/null`])
}

export async function fresh(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true })
  await fs.mkdir(path.dirname(dir), { recursive: true })
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor(s.length / 2)]! : NaN
}

export function fmt(n: number, d = 1): string { return Number.isFinite(n) ? n.toFixed(d) : '-' }
