/**
 * Pure layout for fixed-width terminal tables: column widths that fit a terminal width
 * (dropping the least important columns when narrow), windowing a list to a height with
 * "+N more" lines, and word wrapping by display width.
 */
import { displayWidth, graphemeWidth, fit } from './format.ts'

export interface Column {
  key: string
  title: string
  /** fixed width, or a flexible one between min and want (extra space goes to the last flex column) */
  width?: number
  min?: number
  want?: number
  align?: 'left' | 'right'
  /** higher drops first when the terminal is too narrow; 0 = never dropped */
  drop?: number
  /** cut the middle rather than the end (file names) */
  middle?: boolean
}

export interface Placed extends Column { w: number }

/** Widths for `cols` in `total` columns, one space between columns. Never wider than `total`. */
export function placeColumns(cols: readonly Column[], total: number): Placed[] {
  let keep = [...cols]
  const need = (cs: readonly Column[]): number => cs.reduce((n, c) => n + (c.width ?? c.min ?? 1), 0) + Math.max(0, cs.length - 1)
  while (need(keep) > total) {
    const worst = keep.filter((c) => (c.drop ?? 0) > 0).sort((a, b) => (b.drop ?? 0) - (a.drop ?? 0))[0]
    if (!worst) break
    keep = keep.filter((c) => c !== worst)
  }
  const placed: Placed[] = keep.map((c) => ({ ...c, w: c.width ?? c.min ?? 1 }))
  let spare = total - need(keep)
  const flex = placed.filter((c) => c.width === undefined)
  for (const c of flex) {
    if (spare <= 0) break
    const add = Math.min(spare, Math.max(0, (c.want ?? c.w) - c.w))
    c.w += add
    spare -= add
  }
  const last = flex[flex.length - 1]
  if (last && spare > 0) last.w += spare
  // still too wide (nothing left to drop): shrink from the right, never below 1
  let over = placed.reduce((n, c) => n + c.w, 0) + Math.max(0, placed.length - 1) - total
  for (let i = placed.length - 1; i >= 0 && over > 0; i--) {
    const c = placed[i] as Placed
    const cut = Math.min(over, c.w - 1)
    c.w -= cut
    over -= cut
  }
  return placed
}

/** One table line: each cell fitted to its column width. */
export function cells(cols: readonly Placed[], values: Record<string, string>): string[] {
  return cols.map((c) => fit(values[c.key] ?? '', c.w, c.align ?? 'left', c.middle ?? false))
}

export interface Window { start: number, end: number, above: number, below: number }

/**
 * Which items of a list of `total` fit in `height` lines while `selected` stays visible. When
 * not all fit, one line goes to "+N more" below and, once scrolled, one to "N above".
 */
export function windowFor(total: number, selected: number, height: number): Window {
  const h = Math.max(1, height)
  if (total <= h) return { start: 0, end: total, above: 0, below: 0 }
  const sel = Math.min(Math.max(0, selected), total - 1)
  if (h < 3) return { start: sel, end: sel + 1, above: sel, below: total - sel - 1 } // no room for "more" lines
  let start: number
  let rows: number
  if (sel < h - 1) { start = 0; rows = h - 1 } // top: "+N more" below
  else if (sel >= total - (h - 1)) { start = total - (h - 1); rows = h - 1 } // bottom: "N above" only
  else { rows = h - 2; start = sel - rows + 1 } // middle: both lines
  const end = Math.min(total, start + rows)
  return { start, end, above: start, below: total - end }
}

/** Greedy word wrap by display width; words longer than a line are broken. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width)
  const out: string[] = []
  let line = ''
  for (const word of text.split(/ +/)) {
    const candidate = line ? `${line} ${word}` : word
    if (displayWidth(candidate) <= w) { line = candidate; continue }
    if (line) out.push(line)
    line = ''
    let rest = word
    while (displayWidth(rest) > w) {
      let head = ''
      let hw = 0
      const gs = Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(rest), (x) => x.segment)
      let i = 0
      for (; i < gs.length; i++) {
        const gw = graphemeWidth(gs[i] as string)
        if (hw + gw > w) break
        head += gs[i]
        hw += gw
      }
      if (i === 0) { head = gs[0] as string; i = 1 } // a 2-wide grapheme in a 1-wide line
      out.push(head)
      rest = gs.slice(i).join('')
    }
    line = rest
  }
  if (line || out.length === 0) out.push(line)
  return out
}
