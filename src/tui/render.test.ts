import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { renderDashboard } from './render.ts'
import { MemorySource, NOW, degradedSnapshot } from './fixtures.ts'

class FakeStdout extends EventEmitter {
  columns = 80
  rows = 24
  isTTY = false
  out = ''
  write(s: string, a?: unknown, b?: unknown): boolean {
    this.out += s
    const cb = typeof a === 'function' ? a : typeof b === 'function' ? b : null
    if (cb) queueMicrotask(() => (cb as () => void)()) // ink waits on a write callback as a barrier
    return true
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true
  data: string | null = null
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): string | null { const d = this.data; this.data = null; return d }
  press(s: string): void { this.data = s; this.emit('readable'); this.emit('data', s) }
}

describe('renderDashboard', { timeout: 10_000 }, () => {
  it('mounts on the given streams; q calls onExit and ends waitUntilExit', async () => {
    const stdout = new FakeStdout()
    const stdin = new FakeStdin()
    let exited = 0
    const handle = renderDashboard(new MemorySource(degradedSnapshot()), {
      stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, stderr: stdout as unknown as NodeJS.WriteStream,
      onExit: () => { exited++ }, colour: false, clock: () => NOW, tickMs: 0,
    })
    stdin.press('q')
    await handle.waitUntilExit()
    expect(exited).toBe(1)
    // not a TTY: ink writes the final frame at unmount
    expect(stdout.out).toContain('2 AT RISK')
    expect(stdout.out).not.toContain('\x1b[3') // colour off
    handle.unmount() // idempotent after exit
  })

  it('unmount without a key ends it too', async () => {
    const stdout = new FakeStdout()
    const stdin = new FakeStdin()
    const handle = renderDashboard(new MemorySource(degradedSnapshot()), {
      stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, stderr: stdout as unknown as NodeJS.WriteStream,
      colour: false, clock: () => NOW, tickMs: 0,
    })
    handle.unmount()
    await handle.waitUntilExit()
    expect(stdout.out).toContain('Night Train')
  })
})
