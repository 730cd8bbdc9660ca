/**
 * Timeline: the custody history of the card selected in the overview, oldest first, one
 * sentence per event ("14:02 DIT cart (dit) verified A001/A001C001.mxf at SHUTTLE-1 on DIT
 * cart — ok"), wrapped to the width; problems (failed/missing verifications, alerts) in red
 * and marked "✗".
 */
import type React from 'react'
import type { CardSnapshot, TimelineEntry } from '../../peer/snapshot.ts'
import { clean, formatBytes, stateLook } from '../format.ts'
import { windowFor, wrap } from '../layout.ts'
import { isBad, timelineSentence } from '../sentences.ts'
import { line, styleAll, type Part } from '../ui.ts'
import { message, type ViewProps } from './common.ts'

const INDENT = '        '

export type TimelineLoad =
  | { card: string, status: 'loading' }
  | { card: string, status: 'ok', entries: TimelineEntry[] }
  | { card: string, status: 'error', error: string }

export function timelineLines(p: ViewProps & { load: TimelineLoad | null, selected: number }): React.ReactElement[] {
  if (!p.load) return [message('none', 'Select a card in the overview (1) and press Enter to see its custody history.', p.colour)]
  const card = p.snap.cards.find((c) => c.card === p.load?.card)
  const out: React.ReactElement[] = [line('title', titleParts(p.load.card, card), p.colour)]
  if (p.load.status === 'loading') return [...out, message('loading', `Loading the custody history of ${clean(p.load.card)}…`, p.colour)]
  if (p.load.status === 'error') return [...out, line('error', [{ text: `Could not load the custody history: ${clean(p.load.error)}`, colour: 'red' }], p.colour)]
  const entries = p.load.entries
  if (entries.length === 0) return [...out, message('none', 'No custody events for this card yet.', p.colour)]
  const flat: { entry: number, text: string }[] = []
  entries.forEach((e, i) => {
    const bad = isBad(e)
    const text = `${bad ? '✗' : ' '} ${timelineSentence(e, p.snap.peers, p.now)}`
    const [first = '', ...rest] = wrap(text, p.width - 2)
    flat.push({ entry: i, text: first })
    // continuation lines indented under the sentence, past the clock time
    if (rest.length) for (const t of wrap(rest.join(' '), p.width - 2 - INDENT.length)) flat.push({ entry: i, text: INDENT + t })
  })
  const sel = Math.min(Math.max(0, p.selected), entries.length - 1)
  const firstLine = flat.findIndex((f) => f.entry === sel)
  const height = p.height - 1
  const w = windowFor(flat.length, firstLine, height)
  if (w.above > 0 && height >= 3) out.push(message('above', `  ↑ ${w.above} lines above`, p.colour))
  for (let i = w.start; i < w.end; i++) {
    const f = flat[i] as { entry: number, text: string }
    const selected = f.entry === sel
    const bad = isBad(entries[f.entry] as TimelineEntry)
    let parts: Part[] = [selected ? '>' : ' ', bad ? { text: f.text, colour: 'red' } : f.text]
    if (selected) parts = styleAll(parts, { inverse: true })
    out.push(line(`tl-${i}`, parts, p.colour))
  }
  if (w.below > 0 && height >= 3) out.push(message('below', `  +${w.below} more lines`, p.colour))
  return out
}

function titleParts(id: string, card: CardSnapshot | undefined): Part[] {
  if (!card) return [{ text: `Custody history of ${clean(id)}`, bold: true }]
  const look = stateLook(card.state)
  return [
    { text: `Custody history of ${clean(card.card)}`, bold: true }, '  ',
    { text: `${look.symbol} ${look.word}`, colour: look.colour }, ` ${card.copies}/${card.copiesWanted} copies · ${card.files} files · ${formatBytes(card.bytes)}`,
  ]
}
