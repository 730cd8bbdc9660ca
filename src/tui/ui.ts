/**
 * Drawing primitives: a line is a list of segments, each plain text with an optional style.
 * With colour off (NO_COLOR) a line is one plain string — no escape codes at all, not even
 * bold or dim — so every meaning must also be in the words and symbols.
 */
import React from 'react'
import { Text } from 'ink'
import type { Colour } from './format.ts'

const h = React.createElement

export interface Seg { text: string, colour?: Colour, dim?: boolean, bold?: boolean, inverse?: boolean }
export type Part = string | Seg

/** One terminal line. Every caller fits its text to the width first; `truncate` is a safety net. */
export function line(key: string | number, parts: readonly Part[], colour: boolean): React.ReactElement {
  if (!colour) return h(Text, { key, wrap: 'truncate' }, parts.map((p) => typeof p === 'string' ? p : p.text).join(''))
  return h(Text, { key, wrap: 'truncate' }, ...parts.map((p, i) => typeof p === 'string' || (!p.colour && !p.dim && !p.bold && !p.inverse)
    ? (typeof p === 'string' ? p : p.text)
    : h(Text, { key: i, color: p.colour, dimColor: p.dim, bold: p.bold, inverse: p.inverse }, p.text)))
}

/** Apply one style to every part of a line (a dim row, a selected row). */
export function styleAll(parts: readonly Part[], style: Omit<Seg, 'text'>): Seg[] {
  return parts.map((p) => typeof p === 'string' ? { text: p, ...style } : { ...p, ...style, colour: p.colour ?? style.colour })
}
