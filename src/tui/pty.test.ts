// The dashboard in a real pseudo-terminal (util-linux `script`): raw-mode keys, the alternate
// screen, the frame, and q ending the process. Skipped, saying why, where `script` is missing.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0
const TRY = fileURLToPath(new URL('./try.ts', import.meta.url))

describe('dashboard in a pty', () => {
  it.skipIf(!hasScript)('draws at 80×24, switches views on keys and quits on q (needs util-linux script)', async () => {
    const cmd = `stty cols 80 rows 24; NO_COLOR=1 exec '${process.execPath}' '${TRY}'`
    // ink renders only the last frame when it believes it runs in CI (CI set): a person's terminal does not
    const env: NodeJS.ProcessEnv = { ...process.env }
    delete env.CI
    delete env.CONTINUOUS_INTEGRATION
    const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString('utf8') })
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)))
    const waitFor = async (s: string): Promise<void> => {
      const deadline = Date.now() + 10_000
      while (!out.includes(s)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no "${s}" in the terminal output:\n${out.slice(-2000)}`)
        await new Promise((res) => setTimeout(res, 20))
      }
    }
    try {
      await waitFor('AT RISK')
      expect(out).toContain('\x1b[?1049h') // the alternate screen
      child.stdin.write('2')
      await waitFor('[2 Peers]')
      child.stdin.write('q')
      const code = await Promise.race([exited, new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 10_000))])
      expect(code).toBe(0)
      expect(out).toContain('\x1b[?1049l') // the terminal given back
      expect(out).not.toMatch(/\x1b\[3\dm/) // NO_COLOR: no colours
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
