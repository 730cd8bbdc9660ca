// Real onset processes for multi-process tests: every one is started here, tracked by PID and
// stopped by its PID (SIGTERM, then SIGKILL after a bounded wait).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import path from 'node:path'

export const BIN = path.resolve('bin/onset.js')

export function onset(data: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env }
  delete e.ONSET_DATA
  if (!env.ONSET_PASSPHRASE) delete e.ONSET_PASSPHRASE
  const r = spawnSync(process.execPath, [BIN, '--data', data, ...args], { env: e, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

export function onsetJson(data: string, args: string[]) {
  const r = onset(data, ['--json', ...args])
  const last = r.out.trim().split('\n').pop()
  return { ...r, j: last ? JSON.parse(last) : null }
}

export class PeerProcess {
  readonly child: ChildProcess
  readonly lines: Record<string, unknown>[] = []
  private waiters: { pred: (l: Record<string, unknown>) => boolean, resolve: (l: Record<string, unknown>) => void }[] = []
  stderr = ''

  constructor(data: string, args: string[]) {
    const e: NodeJS.ProcessEnv = { ...process.env }
    delete e.ONSET_DATA
    this.child = spawn(process.execPath, [BIN, '--data', data, '--json', 'peer', ...args], { env: e, stdio: ['ignore', 'pipe', 'pipe'] })
    let buf = ''
    this.child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        let j: Record<string, unknown>
        try { j = JSON.parse(line) } catch { continue }
        this.lines.push(j)
        this.waiters = this.waiters.filter((w) => { if (w.pred(j)) { w.resolve(j); return false } return true })
      }
    })
    this.child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString() })
  }

  waitFor(pred: (l: Record<string, unknown>) => boolean, what: string, ms = 60_000): Promise<Record<string, unknown>> {
    const have = this.lines.find(pred)
    if (have) return Promise.resolve(have)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr.slice(-1500)}`)), ms)
      this.waiters.push({ pred, resolve: (l) => { clearTimeout(timer); resolve(l) } })
      this.child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`peer exited (${code}) while waiting for ${what}: ${this.stderr.slice(-1500)}`)) })
    })
  }

  async started(): Promise<{ port: number | null }> {
    const l = await this.waitFor((x) => x.event === 'started', 'the peer to start', 30_000)
    return { port: (l.listen as { port: number } | null)?.port ?? null }
  }

  async stop(ms = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()))
    this.child.kill('SIGTERM')
    const t = setTimeout(() => this.child.kill('SIGKILL'), ms)
    await exited
    clearTimeout(t)
  }
}
