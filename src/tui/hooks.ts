/**
 * React hooks of the dashboard: the source's snapshot throttled to at most one render per
 * interval, the terminal size (re-rendered on 'resize'), and a slow tick for ages.
 * No timer runs while nothing changes except the tick (default every 5 s; 0 turns it off).
 */
import { useEffect, useState } from 'react'
import type { Snapshot } from '../peer/snapshot.ts'
import type { DashboardSource } from './source.ts'

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  now(): number
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
}

export interface Throttle { trigger(): void, cancel(): void }

/**
 * Calls `fn` at once on the first trigger, then at most once per `ms`: triggers inside the
 * interval collapse into one trailing call at its end. No timer exists while idle.
 */
export function createThrottle(fn: () => void, ms: number, timers: Timers = realTimers): Throttle {
  let last = -Infinity
  let timer: unknown = null
  const run = (): void => { timer = null; last = timers.now(); fn() }
  return {
    trigger() {
      if (timer !== null) return
      const wait = last + ms - timers.now()
      if (wait <= 0) run()
      else timer = timers.setTimeout(run, wait)
    },
    cancel() {
      if (timer !== null) timers.clearTimeout(timer)
      timer = null
    },
  }
}

/** The source's latest snapshot; re-renders at most once per `ms` however often it changes. */
export function useSnapshot(source: DashboardSource, ms: number): Snapshot {
  const [snap, setSnap] = useState(() => source.snapshot())
  useEffect(() => {
    const t = createThrottle(() => setSnap(source.snapshot()), ms)
    const off = source.subscribe(() => t.trigger())
    setSnap(source.snapshot()) // a change between the first render and subscribing
    return () => { off(); t.cancel() }
  }, [source, ms])
  return snap
}

export interface SizedStream {
  columns?: number
  rows?: number
  on(event: 'resize', fn: () => void): unknown
  off(event: 'resize', fn: () => void): unknown
}

function sizeOf(s: SizedStream): { columns: number, rows: number } {
  return { columns: s.columns && s.columns > 0 ? s.columns : 80, rows: s.rows && s.rows > 0 ? s.rows : 24 }
}

/** stdout's columns and rows (80×24 when unknown), updated on 'resize'. */
export function useTerminalSize(stdout: SizedStream): { columns: number, rows: number } {
  const [size, setSize] = useState(() => sizeOf(stdout))
  useEffect(() => {
    const onResize = (): void => {
      const next = sizeOf(stdout)
      setSize((prev) => prev.columns === next.columns && prev.rows === next.rows ? prev : next)
    }
    stdout.on('resize', onResize)
    onResize()
    return () => { stdout.off('resize', onResize) }
  }, [stdout])
  return size
}

/** A counter that increases every `ms` (never when `ms` is 0), so ages on screen stay fresh. */
export function useTick(ms: number): number {
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (!(ms > 0)) return
    const t = setInterval(() => setTick((n) => n + 1), ms)
    return () => clearInterval(t)
  }, [ms])
  return tick
}
