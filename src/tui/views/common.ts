/**
 * What every view gets, and the shared pieces: a table header, selectable rows windowed to the
 * height with "+N more" / "N above" lines, and a centred-ish message for empty lists.
 */
import React from 'react'
import { Text } from 'ink'
import type { Snapshot } from '../../peer/snapshot.ts'
import { cells, windowFor, type Placed } from '../layout.ts'
import { line, styleAll, type Part, type Seg } from '../ui.ts'

export interface ViewProps {
  snap: Snapshot
  width: number
  height: number
  now: number
  colour: boolean
}

const h = React.createElement

export const SEP = ' '

export function headerLine(cols: readonly Placed[], colour: boolean): React.ReactElement {
  const text = cells(cols, Object.fromEntries(cols.map((c) => [c.key, c.title]))).join(SEP)
  return line('header', [{ text, bold: true }], colour)
}

/** Parts of one row from its cells, with per-column styles. */
export function rowParts(cols: readonly Placed[], values: Record<string, string>, styles: Record<string, Omit<Seg, 'text'>> = {}): Part[] {
  const texts = cells(cols, values)
  const parts: Part[] = []
  cols.forEach((c, i) => {
    if (i > 0) parts.push(SEP)
    const st = styles[c.key]
    parts.push(st ? { text: texts[i] as string, ...st } : texts[i] as string)
  })
  return parts
}

/**
 * Rows of a list, windowed to `height` lines around `selected`. `render(i)` gives the parts of
 * item i; the selected row is marked with ">" (and inverse when coloured), `dim(i)` rows dimmed.
 */
export function listLines(total: number, selected: number, height: number, width: number, colour: boolean,
  render: (i: number) => Part[], dim: (i: number) => boolean = () => false): React.ReactElement[] {
  const w = windowFor(total, selected, height)
  const out: React.ReactElement[] = []
  const more = (key: string, text: string): React.ReactElement => line(key, [{ text: text.slice(0, width), dim: true }], colour)
  if (w.above > 0 && height >= 3) out.push(more('above', `  ↑ ${w.above} above`))
  for (let i = w.start; i < w.end; i++) {
    let parts = render(i)
    if (i === selected) parts = styleAll(parts, { inverse: true })
    else if (dim(i)) parts = styleAll(parts, { dim: true })
    out.push(line(`row-${i}`, parts, colour))
  }
  if (w.below > 0 && height >= 3) out.push(more('below', `  +${w.below} more`))
  return out
}

export function mark(selected: boolean): string {
  return selected ? '>' : ' '
}

/** A sentence for an empty or loading view; wraps (at most a few lines) rather than being cut. */
export function message(key: string, text: string, colour: boolean): React.ReactElement {
  return h(Text, { key, wrap: 'wrap', dimColor: colour }, text)
}
