/**
 * Test support for the dashboard: mount it with ink-testing-library at a given terminal size
 * (its fake stdout reports 100 columns and no rows; we override both and emit 'resize', the
 * path a real terminal takes), and wait for a frame condition with a bounded timeout.
 */
import React from 'react'
import { render } from 'ink-testing-library'
import { Dashboard, type DashboardProps } from './app.ts'
import { displayWidth } from './format.ts'
import { NOW } from './fixtures.ts'

export type Mounted = ReturnType<typeof render> & {
  frame(): string
  resize(columns: number, rows: number): void
  waitFor(check: (frame: string) => boolean, what: string, timeoutMs?: number): Promise<string>
  press(keys: string, until: (frame: string) => boolean, what: string): Promise<string>
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g

export function plain(s: string): string {
  return s.replace(ANSI, '')
}

/** Lines of a frame and their display widths (escape codes removed). */
export function widths(frame: string): number[] {
  return plain(frame).split('\n').map(displayWidth)
}

// ink-testing-library's Stdout reports `columns` (100) from a prototype getter and no `rows`.
// The size for the first frame comes from these prototype getters; each mount then pins its own.
let nextSize = { columns: 80, rows: 24 }
let patched = false
function patchStdout(stdout: object): void {
  if (patched) return
  patched = true
  const proto = Object.getPrototypeOf(stdout) as object
  Object.defineProperty(proto, 'columns', { get: () => nextSize.columns, configurable: true })
  Object.defineProperty(proto, 'rows', { get: () => nextSize.rows, configurable: true })
}
patchStdout(render(React.createElement(React.Fragment)).stdout)

export function mount(props: Partial<DashboardProps> & Pick<DashboardProps, 'source'>, size = { columns: 80, rows: 24 }): Mounted {
  nextSize = size
  const r = render(React.createElement(Dashboard, { colour: false, clock: () => NOW, tickMs: 0, throttleMs: 100, ...props }))
  const resize = (columns: number, rows: number): void => {
    Object.defineProperty(r.stdout, 'columns', { value: columns, configurable: true })
    Object.defineProperty(r.stdout, 'rows', { value: rows, configurable: true })
    r.stdout.emit('resize')
  }
  resize(size.columns, size.rows)
  const frame = (): string => r.lastFrame() ?? ''
  const waitFor = async (check: (f: string) => boolean, what: string, timeoutMs = 2000): Promise<string> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const f = frame()
      if (check(f)) return f
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`)
      await new Promise((res) => setTimeout(res, 5))
    }
  }
  const press = async (keys: string, until: (f: string) => boolean, what: string): Promise<string> => {
    r.stdin.write(keys)
    return waitFor(until, what)
  }
  return Object.assign(r, { frame, resize, waitFor, press })
}
