/**
 * Mount the dashboard on a terminal. Ink renders at most 10 frames a second (maxFps), only
 * changed lines are rewritten (incrementalRendering), and on a TTY the alternate screen keeps
 * the shell's scrollback clean. q / Ctrl-C call `onExit` (default: unmount).
 */
import React from 'react'
import { render } from 'ink'
import { Dashboard, type DashboardProps } from './app.ts'
import type { DashboardSource } from './source.ts'

export interface RenderDashboardOptions extends Omit<DashboardProps, 'source' | 'onExit'> {
  stdout?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
  stderr?: NodeJS.WriteStream
  /** called on q / Ctrl-C after the dashboard unmounted */
  onExit?: () => void
  /** default: true when stdout is a TTY */
  alternateScreen?: boolean
}

export interface DashboardHandle {
  unmount(): void
  waitUntilExit(): Promise<void>
}

export function renderDashboard(source: DashboardSource, opts: RenderDashboardOptions = {}): DashboardHandle {
  const { stdout = process.stdout, stdin = process.stdin, stderr = process.stderr, onExit, alternateScreen, ...props } = opts
  let done = false
  const exit = (): void => {
    if (done) return
    done = true
    instance.unmount()
    onExit?.()
  }
  const instance = render(React.createElement(Dashboard, { ...props, source, onExit: exit }), {
    stdout, stdin, stderr,
    exitOnCtrlC: false, // Ctrl-C goes through onExit like q
    patchConsole: false,
    maxFps: 10,
    incrementalRendering: true,
    alternateScreen: alternateScreen ?? Boolean(stdout.isTTY),
  })
  return {
    unmount: () => { if (!done) { done = true; instance.unmount() } },
    waitUntilExit: async () => { await instance.waitUntilExit() },
  }
}
