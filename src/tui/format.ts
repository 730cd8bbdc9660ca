/**
 * Pure formatting helpers for the dashboard: sizes, rates, durations, ages, clock times,
 * terminal display width, truncation with an ellipsis, and the state/severity look.
 * No React, no I/O, no clock: callers pass `now`.
 *
 * Formats (what a cell shows):
 *   bytes    "0 B", "512 B", "1.2 KiB", "12.5 MiB", "120 GiB" (binary units, one decimal below 100)
 *   rate     "12.5 MiB/s", "-" when idle (0 or not finite)
 *   eta      "45s", "4m 10s", "2h 05m", "3d 4h", "-" when unknown
 *   age      "now" (< 1 s or in the future), "12s", "12m", "3h", "2d"
 *   clock    "14:02" on the same local day as `now`, else "2024-11-23 14:02"
 */
import type { CardState, Severity } from '../peer/snapshot.ts'

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-'
  if (n < 1024) return `${Math.round(n)} B`
  let v = n
  let u = 0
  while (v >= 1024 && u < UNITS.length - 1) { v /= 1024; u++ }
  let text = v < 100 ? v.toFixed(1) : String(Math.round(v))
  // 1023.96 KiB rounds to "1024.0": promote instead
  if (Number(text) >= 1024 && u < UNITS.length - 1) { u++; text = (Number(text) / 1024).toFixed(1) }
  return `${text} ${UNITS[u]}`
}

export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '-'
  return `${formatBytes(bytesPerSecond)}/s`
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '-'
  const s = Math.ceil(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`
}

/** How long ago `at` was, coarse: one unit, like "12m". */
export function formatAge(at: number, now: number): string {
  const ms = now - at
  if (!Number.isFinite(ms) || ms < 1000) return 'now'
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86400)}d`
}

const two = (n: number): string => String(n).padStart(2, '0')

/** Local wall-clock time of `at`; the date is added when it is not the same local day as `now`. */
export function formatClock(at: number, now: number): string {
  const d = new Date(at)
  const n = new Date(now)
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`
  const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()
  return sameDay ? hm : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${hm}`
}

// ---------------------------------------------------------------------------------------------
// Display width and truncation

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' })
// C0/C1 controls, and bidi embeddings/overrides/isolates that could reorder what follows
const UNSAFE_CHARS = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu

/**
 * Text from peers (file names, messages, names) is shown as data: control characters
 * (including ESC, so no terminal escape sequences) and bidi overrides become U+FFFD.
 */
export function clean(s: string): string {
  return s.replace(UNSAFE_CHARS, '\uFFFD')
}

function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd)
}

const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u200B]+$/u

/** Columns one grapheme cluster takes in a terminal (0, 1 or 2). */
export function graphemeWidth(g: string): number {
  const cp = g.codePointAt(0)
  if (cp === undefined) return 0
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0
  if (ZERO_WIDTH.test(g)) return 0
  if (EMOJI_PRESENTATION.test(g) || (PICTOGRAPHIC.test(g) && g.includes('\uFE0F'))) return 2
  return isWide(cp) ? 2 : 1
}

/** Columns a string takes in a terminal: wide East Asian characters and emoji count 2, combining marks 0. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

export function displayWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length // the common case, without segmenting
  let w = 0
  for (const { segment } of segmenter.segment(s)) w += graphemeWidth(segment)
  return w
}

function graphemes(s: string): string[] {
  return Array.from(segmenter.segment(s), (x) => x.segment)
}

/** Cut `s` to at most `width` columns, ending with "…" when cut. Never splits a grapheme. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return ''
  if (displayWidth(s) <= width) return s
  let out = ''
  let w = 0
  for (const g of graphemes(s)) {
    const gw = graphemeWidth(g)
    if (w + gw > width - 1) break
    out += g
    w += gw
  }
  return `${out}…`
}

/** Cut the middle of `s` to at most `width` columns ("A001C001…0042.mxf"), keeping the extension readable. */
export function truncateMiddle(s: string, width: number): string {
  if (width <= 0) return ''
  if (displayWidth(s) <= width) return s
  if (width < 5) return truncate(s, width)
  const gs = graphemes(s)
  const budget = width - 1
  const tailBudget = Math.floor(budget / 2)
  let tail = ''
  let tw = 0
  for (let i = gs.length - 1; i >= 0; i--) {
    const g = gs[i] as string
    const gw = graphemeWidth(g)
    if (tw + gw > tailBudget) break
    tail = g + tail
    tw += gw
  }
  let head = ''
  let hw = 0
  for (const g of gs) {
    const gw = graphemeWidth(g)
    if (hw + gw > budget - tw) break
    head += g
    hw += gw
  }
  return `${head}…${tail}`
}

/** Exactly `width` columns: truncated with an ellipsis, then padded with spaces. */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left', middle = false): string {
  const t = middle ? truncateMiddle(s, width) : truncate(s, width)
  const gap = ' '.repeat(Math.max(0, width - displayWidth(t)))
  return align === 'left' ? t + gap : gap + t
}

// ---------------------------------------------------------------------------------------------
// Look of states and severities. The word and symbol carry the meaning; colour only repeats it.

export type Colour = 'red' | 'yellow' | 'green' | 'magenta' | 'cyan' | 'blue' | 'gray'

export interface StateLook { symbol: string, word: string, colour: Colour }

export const STATE_LOOK: Record<CardState, StateLook> = {
  UNSAFE: { symbol: '✗', word: 'UNSAFE', colour: 'red' },
  COPYING: { symbol: '↻', word: 'COPYING', colour: 'yellow' },
  PROTECTED: { symbol: '✓', word: 'PROTECTED', colour: 'green' },
  DEGRADED: { symbol: '!', word: 'DEGRADED', colour: 'magenta' },
}

/** Order in which states are counted and sorted: the ones that need attention first. */
export const STATE_ORDER: readonly CardState[] = ['DEGRADED', 'UNSAFE', 'COPYING', 'PROTECTED']

export function stateLook(state: CardState): StateLook {
  return STATE_LOOK[state] ?? { symbol: '?', word: String(state), colour: 'gray' }
}

export const SEVERITY_LOOK: Record<Severity, { word: string, colour: Colour }> = {
  critical: { word: 'CRIT', colour: 'red' },
  warning: { word: 'WARN', colour: 'yellow' },
  info: { word: 'INFO', colour: 'cyan' },
}

export function severityLook(s: Severity): { word: string, colour: Colour } {
  return SEVERITY_LOOK[s] ?? { word: String(s).toUpperCase().slice(0, 4), colour: 'gray' }
}

/** Whether the dashboard may colour its output: never when NO_COLOR is set to anything non-empty (no-color.org) or TERM=dumb. */
export function colourAllowed(env: Record<string, string | undefined> = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.TERM === 'dumb') return false
  return true
}
