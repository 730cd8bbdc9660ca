/**
 * Measures the dashboard's cost on a fake 80×24 TTY through the real render path
 * (renderDashboard: maxFps 10, incremental rendering, alternate screen):
 *   idle    nothing changes for N seconds (only the 5 s age tick runs)
 *   busy    the source changes 10 times a second (a copy in progress) for N seconds
 * and prints CPU time used, frames written and bytes written for each.
 * Run: node src/tui/measure-idle.ts [seconds=5]   (a measurement, not a test)
 */
import { EventEmitter } from 'node:events'
import { renderDashboard } from './render.ts'
import { MemorySource, degradedSnapshot } from './fixtures.ts'

class TtyOut extends EventEmitter {
  columns = 80
  rows = 24
  isTTY = true
  writes = 0
  bytes = 0
  write(s: string, a?: unknown, b?: unknown): boolean {
    this.writes++
    this.bytes += Buffer.byteLength(s)
    const cb = typeof a === 'function' ? a : typeof b === 'function' ? b : null
    if (cb) queueMicrotask(() => (cb as () => void)())
    return true
  }
}
class TtyIn extends EventEmitter {
  isTTY = true
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): null { return null }
}

const seconds = Number(process.argv[2] ?? 5)
const out = new TtyOut()
const src = new MemorySource(degradedSnapshot())
const handle = renderDashboard(src, { stdout: out as unknown as NodeJS.WriteStream, stdin: new TtyIn() as unknown as NodeJS.ReadStream, stderr: out as unknown as NodeJS.WriteStream, colour: true })
const wait = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms))
await wait(300) // first frame

async function phase(name: string, run: () => Promise<void>): Promise<void> {
  const w0 = out.writes
  const b0 = out.bytes
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await run()
  const c = process.cpuUsage(c0)
  const s = (performance.now() - t0) / 1000
  const cpuMs = (c.user + c.system) / 1000
  console.log(`${name.padEnd(5)} ${s.toFixed(1)} s: cpu ${cpuMs.toFixed(0)} ms (${(cpuMs / s / 10).toFixed(2)}% of a core), ${out.writes - w0} writes, ${out.bytes - b0} bytes`)
}

await phase('idle', () => wait(seconds * 1000))
await phase('busy', async () => {
  const end = performance.now() + seconds * 1000
  let pending = 40 * 1024 ** 3
  while (performance.now() < end) {
    pending = Math.max(0, pending - 20 * 1024 ** 2)
    const s = src.current
    src.set({ ...s, at: s.at + 100, cards: s.cards.map((c) => c.card === 'A003' ? { ...c, bytesPending: pending, eta: pending / c.rate } : c) })
    await wait(100)
  }
})
handle.unmount()
await handle.waitUntilExit()
