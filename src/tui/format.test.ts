import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  clean, colourAllowed, displayWidth, fit, formatAge, formatBytes, formatClock, formatEta, formatRate,
  STATE_LOOK, stateLook, truncate, truncateMiddle,
} from './format.ts'

describe('formatBytes', () => {
  it('uses binary units with one decimal below 100', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1024)).toBe('1.0 KiB')
    expect(formatBytes(1.2 * 1024 ** 3)).toBe('1.2 GiB')
    expect(formatBytes(12.5 * 1024 ** 2)).toBe('12.5 MiB')
    expect(formatBytes(120 * 1024 ** 3)).toBe('120 GiB')
    expect(formatBytes(2 * 1024 ** 4)).toBe('2.0 TiB')
  })
  it('promotes instead of showing 1024 of a unit', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB')
  })
  it('says "-" for nonsense', () => {
    expect(formatBytes(-1)).toBe('-')
    expect(formatBytes(Number.NaN)).toBe('-')
  })
})

describe('formatRate / formatEta', () => {
  it('rate per second, "-" when idle', () => {
    expect(formatRate(200 * 1024 ** 2)).toBe('200 MiB/s')
    expect(formatRate(0)).toBe('-')
    expect(formatRate(Infinity)).toBe('-')
  })
  it('eta in the two largest units', () => {
    expect(formatEta(null)).toBe('-')
    expect(formatEta(45)).toBe('45s')
    expect(formatEta(44.2)).toBe('45s')
    expect(formatEta(250)).toBe('4m 10s')
    expect(formatEta(7500)).toBe('2h 05m')
    expect(formatEta(3 * 86400 + 4 * 3600 + 59)).toBe('3d 4h')
    expect(formatEta(-5)).toBe('-')
  })
})

describe('formatAge', () => {
  const now = 1_700_000_000_000
  it('one coarse unit', () => {
    expect(formatAge(now, now)).toBe('now')
    expect(formatAge(now + 60_000, now)).toBe('now') // a peer's clock ahead of ours
    expect(formatAge(now - 12_000, now)).toBe('12s')
    expect(formatAge(now - 12 * 60_000, now)).toBe('12m')
    expect(formatAge(now - 3 * 3600_000 - 59 * 60_000, now)).toBe('3h')
    expect(formatAge(now - 2 * 86400_000, now)).toBe('2d')
  })
})

describe('formatClock', () => {
  it('time of day today, with the date otherwise', () => {
    const now = new Date(2024, 10, 23, 18, 0).getTime()
    expect(formatClock(new Date(2024, 10, 23, 14, 2).getTime(), now)).toBe('14:02')
    expect(formatClock(new Date(2024, 10, 22, 9, 5).getTime(), now)).toBe('2024-11-22 09:05')
  })
})

describe('display width and truncation', () => {
  it('counts wide characters and emoji as 2, combining marks as 0', () => {
    expect(displayWidth('A001C001.mxf')).toBe(12)
    expect(displayWidth('夜行列車')).toBe(8)
    expect(displayWidth('📼')).toBe(2)
    expect(displayWidth('e\u0301')).toBe(1) // é decomposed
    expect(displayWidth('👩‍👩‍👧')).toBe(2) // one ZWJ cluster
  })
  it('truncates with an ellipsis, never past the width, never splitting a grapheme', () => {
    expect(truncate('A001C001.mxf', 20)).toBe('A001C001.mxf')
    expect(truncate('A001C001.mxf', 8)).toBe('A001C00…')
    expect(truncate('夜行列車.mxf', 5)).toBe('夜行…')
    expect(truncate('e\u0301e\u0301e\u0301', 2)).toBe('e\u0301…')
    expect(truncate('abc', 0)).toBe('')
    expect(truncate('abc', 1)).toBe('…')
  })
  it('middle truncation keeps the extension', () => {
    expect(truncateMiddle('A001C001_230101_R1AB.mxf', 15)).toBe('A001C00…1AB.mxf')
    expect(displayWidth(truncateMiddle('夜行列車_夜行列車_夜行列車.mov', 11))).toBeLessThanOrEqual(11)
  })
  it('property: fit is exactly the width and truncate never exceeds it', () => {
    const chars = fc.constantFrom('a', 'Z', '0', '.', '_', ' ', '夜', '車', '📼', 'e\u0301', 'ü', '—')
    fc.assert(fc.property(fc.array(chars, { maxLength: 40 }).map((a) => a.join('')), fc.integer({ min: 0, max: 30 }), fc.boolean(), (s, w, middle) => {
      expect(displayWidth(truncate(s, w))).toBeLessThanOrEqual(w)
      expect(displayWidth(truncateMiddle(s, w))).toBeLessThanOrEqual(w)
      const f = fit(s, w, 'left', middle)
      // a 2-wide character cannot be split: the pad makes up the difference
      expect(displayWidth(f)).toBe(w)
      if (displayWidth(s) <= w) expect(truncate(s, w)).toBe(s)
    }), { seed: 42, numRuns: 500 })
  })
  it('fit pads to the left or right', () => {
    expect(fit('2/3', 6, 'right')).toBe('   2/3')
    expect(fit('A001', 6)).toBe('A001  ')
  })
})

describe('clean', () => {
  it('neutralises escape sequences and bidi overrides in names from peers', () => {
    const evil = 'clip\x1b[2J\x1b]0;pwned\x07\u202Egnp.exe'
    const c = clean(evil)
    expect(c).not.toMatch(/[\x00-\x1f\x7f\u202e]/)
    expect(c).toContain('clip')
  })
})

describe('state look', () => {
  it('every state has a distinct word and symbol, not only a colour', () => {
    const looks = Object.values(STATE_LOOK)
    expect(new Set(looks.map((l) => l.symbol)).size).toBe(4)
    expect(new Set(looks.map((l) => l.word)).size).toBe(4)
    expect(stateLook('DEGRADED').word).toBe('DEGRADED')
    for (const l of looks) expect(displayWidth(l.symbol)).toBe(1)
  })
  it('colour is off when NO_COLOR is set or TERM is dumb', () => {
    expect(colourAllowed({})).toBe(true)
    expect(colourAllowed({ NO_COLOR: '1' })).toBe(false)
    expect(colourAllowed({ NO_COLOR: '' })).toBe(true)
    expect(colourAllowed({ TERM: 'dumb' })).toBe(false)
  })
})
