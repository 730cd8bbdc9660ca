/**
 * Overview: one row per card — state (symbol + word, coloured), verified copies vs policy
 * ("2/3"), where the copies are, bytes pending, rate, ETA, and AT RISK: the age of the oldest
 * byte not yet protected by the policy (the recovery point). Cards needing attention first.
 */
import type React from 'react'
import type { CardSnapshot } from '../../peer/snapshot.ts'
import { clean, displayWidth, formatAge, formatBytes, formatEta, formatRate, STATE_ORDER, stateLook } from '../format.ts'
import { placeColumns, type Column } from '../layout.ts'
import { headerLine, listLines, mark, message, rowParts, type ViewProps } from './common.ts'

/** Cards in display order: DEGRADED, UNSAFE, COPYING, PROTECTED; then by name. */
export function sortCards(cards: readonly CardSnapshot[]): CardSnapshot[] {
  const rank = (c: CardSnapshot): number => { const i = STATE_ORDER.indexOf(c.state); return i < 0 ? 0 : i }
  return [...cards].sort((a, b) => rank(a) - rank(b) || (a.card < b.card ? -1 : a.card > b.card ? 1 : 0))
}

export function overviewColumns(cards: readonly CardSnapshot[], width: number) {
  const longest = cards.reduce((n, c) => Math.max(n, displayWidth(clean(c.card))), 4)
  const cols: Column[] = [
    { key: 'mark', title: '', width: 1 },
    { key: 'state', title: 'STATE', width: 11 },
    { key: 'card', title: 'CARD', min: 6, want: Math.min(24, longest), middle: true },
    { key: 'copies', title: 'COPIES', width: 6, align: 'right' },
    { key: 'where', title: 'WHERE', min: 8, drop: 3 },
    { key: 'pending', title: 'PENDING', width: 8, align: 'right', drop: 2 },
    { key: 'rate', title: 'RATE', width: 10, align: 'right', drop: 4 },
    { key: 'eta', title: 'ETA', width: 7, align: 'right', drop: 5 },
    { key: 'risk', title: 'AT RISK', width: 7, align: 'right', drop: 1 },
  ]
  return placeColumns(cols, width)
}

export function overviewLines(p: ViewProps & { selected: number }): React.ReactElement[] {
  if (!p.snap.production) return [message('none', 'No production on this peer yet: create one with `onset production create`, or join with an invite.', p.colour)]
  const cards = sortCards(p.snap.cards)
  if (cards.length === 0) return [message('none', 'No cards yet: offload one with `onset offload`.', p.colour)]
  const cols = overviewColumns(cards, p.width)
  const rows = listLines(cards.length, p.selected, p.height - 1, p.width, p.colour, (i) => {
    const c = cards[i] as CardSnapshot
    const look = stateLook(c.state)
    const short = c.copies < c.copiesWanted
    return rowParts(cols, {
      mark: mark(i === p.selected),
      state: `${look.symbol} ${look.word}`,
      card: clean(c.card),
      copies: `${c.copies}/${c.copiesWanted}`,
      where: c.where.length ? clean(c.where.join(', ')) : 'nowhere',
      pending: c.bytesPending > 0 ? formatBytes(c.bytesPending) : '-',
      rate: formatRate(c.rate),
      eta: c.bytesPending > 0 ? formatEta(c.eta) : '-',
      risk: c.oldestUnprotectedAt === null ? '-' : formatAge(c.oldestUnprotectedAt, p.now),
    }, {
      state: { colour: look.colour, bold: c.state !== 'PROTECTED' },
      copies: { colour: short ? 'red' : 'green' },
      risk: c.oldestUnprotectedAt === null ? {} : { colour: 'red' },
    })
  })
  return [headerLine(cols, p.colour), ...rows]
}
