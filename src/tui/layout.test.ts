import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { placeColumns, windowFor, wrap, type Column } from './layout.ts'
import { displayWidth } from './format.ts'
import { createThrottle, type Timers } from './hooks.ts'

const COLS: Column[] = [
  { key: 'a', title: 'A', width: 10 },
  { key: 'b', title: 'B', min: 6, want: 12 },
  { key: 'c', title: 'C', width: 20, drop: 2 },
  { key: 'd', title: 'D', min: 8, drop: 1 },
]

describe('placeColumns', () => {
  it('gives flexible columns what they want and the rest to the last one', () => {
    const p = placeColumns(COLS, 80)
    expect(p.map((c) => c.w)).toEqual([10, 12, 20, 35])
  })
  it('drops the highest drop first when narrow', () => {
    expect(placeColumns(COLS, 40).map((c) => c.key)).toEqual(['a', 'b', 'd'])
    expect(placeColumns(COLS, 20).map((c) => c.key)).toEqual(['a', 'b'])
  })
  it('property: never wider than the total (when the undroppable columns fit)', () => {
    fc.assert(fc.property(fc.integer({ min: 17, max: 300 }), (total) => {
      const p = placeColumns(COLS, total)
      expect(p.reduce((n, c) => n + c.w, 0) + p.length - 1).toBeLessThanOrEqual(total)
    }), { seed: 7 })
  })
})

describe('windowFor', () => {
  it('shows everything when it fits', () => {
    expect(windowFor(5, 4, 5)).toEqual({ start: 0, end: 5, above: 0, below: 0 })
  })
  it('property: the selection is visible and items plus "more" lines fit the height', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 3, max: 40 }), fc.nat(), (total, height, s) => {
      const sel = s % total
      const w = windowFor(total, sel, height)
      expect(sel).toBeGreaterThanOrEqual(w.start)
      expect(sel).toBeLessThan(w.end)
      expect(w.above).toBe(w.start)
      expect(w.below).toBe(total - w.end)
      const lines = w.end - w.start + (w.above > 0 ? 1 : 0) + (w.below > 0 ? 1 : 0)
      expect(lines).toBeLessThanOrEqual(height)
    }), { seed: 11, numRuns: 1000 })
  })
})

describe('wrap', () => {
  it('wraps on spaces and breaks words longer than a line', () => {
    expect(wrap('verified a copy of A001C001.mxf on SHUTTLE-1', 20)).toEqual(['verified a copy of', 'A001C001.mxf on', 'SHUTTLE-1'])
    expect(wrap('夜行列車夜行列車', 5)).toEqual(['夜行', '列車', '夜行', '列車'])
  })
  it('property: no line is wider than the width', () => {
    const word = fc.array(fc.constantFrom('a', 'b', '夜', '📼', '.'), { minLength: 1, maxLength: 15 }).map((a) => a.join(''))
    fc.assert(fc.property(fc.array(word, { maxLength: 12 }), fc.integer({ min: 2, max: 30 }), (words, w) => {
      for (const l of wrap(words.join(' '), w)) expect(displayWidth(l)).toBeLessThanOrEqual(w)
    }), { seed: 3 })
  })
})

describe('createThrottle', () => {
  function fakeTimers(): Timers & { t: number, pending: { at: number, fn: () => void }[], advance(ms: number): void } {
    const ft = {
      t: 0,
      pending: [] as { at: number, fn: () => void }[],
      now: () => ft.t,
      setTimeout: (fn: () => void, ms: number) => { const e = { at: ft.t + ms, fn }; ft.pending.push(e); return e },
      clearTimeout: (h: unknown) => { ft.pending = ft.pending.filter((e) => e !== h) },
      advance(ms: number) {
        ft.t += ms
        for (const e of ft.pending.filter((x) => x.at <= ft.t)) { ft.pending = ft.pending.filter((x) => x !== e); e.fn() }
      },
    }
    return ft
  }
  it('runs at once, then collapses a burst into one trailing call per interval', () => {
    const ft = fakeTimers()
    let calls = 0
    const th = createThrottle(() => calls++, 100, ft)
    th.trigger()
    expect(calls).toBe(1)
    for (let i = 0; i < 100; i++) { th.trigger(); ft.advance(1) }
    // 100 triggers over 100 ms: the leading call and one trailing call at 100 ms
    expect(calls).toBe(2)
    th.trigger() // right after a call: waits for the interval
    expect(calls).toBe(2)
    ft.advance(99)
    expect(calls).toBe(2)
    ft.advance(1)
    expect(calls).toBe(3)
    expect(ft.pending).toHaveLength(0) // idle: no timer left
    ft.advance(1000)
    th.trigger()
    expect(calls).toBe(4) // after a quiet interval, immediate again
  })
  it('cancel drops a pending call', () => {
    const ft = fakeTimers()
    let calls = 0
    const th = createThrottle(() => calls++, 100, ft)
    th.trigger(); th.trigger(); th.cancel()
    ft.advance(500)
    expect(calls).toBe(1)
  })
})
