// A real pseudo-terminal around an onset command, through util-linux `script`: raw-mode keys,
// the alternate screen and ink's full redraws, as a person's terminal sees them. `hasPty` says
// whether this machine can make one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const hasPty = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0
const ONSET = fileURLToPath(new URL('../../bin/onset.js', import.meta.url))

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

export class Pty {
  out = ''
  readonly child: ChildProcess
  private readonly exited: Promise<number | null>

  /** Run `onset <args>` in an 80×24 terminal, no colour. */
  constructor(args: string[], o: { cols?: number, rows?: number } = {}) {
    const cmd = `stty cols ${o.cols ?? 80} rows ${o.rows ?? 24}; NO_COLOR=1 exec ${quote(process.execPath)} ${quote(ONSET)} ${args.map(quote).join(' ')}`
    // ink draws only the last frame when it believes it runs in CI: a person's terminal is not CI
    const env: NodeJS.ProcessEnv = { ...process.env }
    delete env.CI
    delete env.CONTINUOUS_INTEGRATION
    this.child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env })
    this.child.stdout!.on('data', (d: Buffer) => { this.out += d.toString('utf8') })
    this.exited = new Promise((res) => this.child.on('exit', (code) => res(code)))
  }

  /** The output so far: a mark to search after. */
  get mark(): number { return this.out.length }

  /** Wait until the screen shows something matching, after `from`; returns where it was. */
  async waitFor(pattern: RegExp | string, what: string, o: { from?: number, ms?: number } = {}): Promise<number> {
    const deadline = Date.now() + (o.ms ?? 60_000)
    for (;;) {
      const tail = this.out.slice(o.from ?? 0)
      const at = typeof pattern === 'string' ? tail.indexOf(pattern) : tail.search(pattern)
      if (at >= 0) return (o.from ?? 0) + at
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`the terminal never showed ${what}; its last output:\n${plain(this.out.slice(-3000))}`)
      await new Promise((res) => setTimeout(res, 25))
    }
  }

  write(keys: string): void { this.child.stdin!.write(keys) }

  /** Press q and wait for the exit status; hang up (SIGTERM to script's PID) if it does not go. */
  async quit(ms = 15_000): Promise<number | null | 'timeout'> {
    if (this.child.exitCode !== null) return this.child.exitCode
    this.write('q')
    const r = await Promise.race([this.exited, new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), ms))])
    if (r === 'timeout') await this.kill()
    return r
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill('SIGTERM') // script hangs up the terminal: the onset process gets SIGHUP
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await this.exited
    clearTimeout(t)
  }
}

/** Terminal output without escape sequences, for error messages. */
export function plain(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').replace(/\r/g, '')
}
