/**
 * The frame around a view: a header (production, policy, this peer and role; a one-word
 * verdict and the number of cards in each state; open alerts), the tab bar, and the footer
 * with key hints and the last action's outcome.
 */
import type React from 'react'
import type { Snapshot } from '../../peer/snapshot.ts'
import { clean, displayWidth as widthOf, STATE_ORDER, stateLook, truncate } from '../format.ts'
import { line, type Part } from '../ui.ts'

export type ViewName = 'overview' | 'peers' | 'alerts' | 'timeline'
export const VIEWS: readonly ViewName[] = ['overview', 'peers', 'alerts', 'timeline']
const TITLES: Record<ViewName, string> = { overview: 'Overview', peers: 'Peers', alerts: 'Alerts', timeline: 'Timeline' }

/** The one-second answer: is every clip safe? */
export function verdict(snap: Snapshot): Part {
  if (!snap.production) return { text: 'NO PRODUCTION', bold: true }
  const cards = snap.cards
  if (cards.length === 0) return { text: 'NO CARDS YET', bold: true }
  const atRisk = cards.filter((c) => c.state === 'UNSAFE' || c.state === 'DEGRADED').length
  if (atRisk > 0) return { text: `${atRisk} AT RISK`, colour: 'red', bold: true }
  const copying = cards.filter((c) => c.state === 'COPYING').length
  if (copying > 0) return { text: `${copying} COPYING`, colour: 'yellow', bold: true }
  return { text: 'ALL SAFE', colour: 'green', bold: true }
}

export function headerLines(snap: Snapshot, width: number, colour: boolean): React.ReactElement[] {
  const self = `${clean(snap.self.name || snap.self.peer.slice(0, 8))}${snap.self.role ? ` (${snap.self.role})` : ''}`
  const p = snap.production
  const title = p
    ? `onset · ${clean(p.name)} · policy ${p.policy.copies} copies, ${p.policy.peers} peers, ${p.policy.offsite} off the cart · ${self}`
    : `onset · no production · ${self}`
  const counts: Part[] = [verdict(snap), ' ']
  for (const s of STATE_ORDER) {
    const n = snap.cards.filter((c) => c.state === s).length
    const look = stateLook(s)
    counts.push(' ', n > 0 ? { text: `${look.symbol} ${n} ${look.word}`, colour: look.colour } : { text: `${look.symbol} 0 ${look.word}`, dim: true })
  }
  const open = snap.alerts.filter((a) => !a.acked)
  const crit = open.some((a) => a.severity === 'critical')
  counts.push('  ', open.length ? { text: `${open.length} open alert${open.length === 1 ? '' : 's'}`, colour: crit ? 'red' : 'yellow', bold: crit } : { text: 'no open alerts', dim: true })
  return [line('title', [{ text: truncate(title, width), bold: true }], colour), line('counts', fitParts(counts, width), colour)]
}

export function tabsLine(view: ViewName, snap: Snapshot, timelineCard: string | null, width: number, colour: boolean): React.ReactElement {
  const parts: Part[] = []
  VIEWS.forEach((v, i) => {
    let label = `${i + 1} ${TITLES[v]}`
    if (v === 'alerts') { const n = snap.alerts.filter((a) => !a.acked).length; if (n) label += ` (${n})` }
    if (v === 'timeline' && timelineCard) label += ` ${clean(timelineCard)}`
    parts.push(v === view ? { text: `[${label}]`, bold: true, inverse: true } : ` ${label} `, ' ')
  })
  return line('tabs', fitParts(parts, width), colour)
}

const HINTS: Record<ViewName, string> = {
  overview: '↑↓ move  ⏎ timeline  1-4/tab view  q quit',
  peers: '↑↓ move  1-4/tab view  esc back  q quit',
  alerts: '↑↓ move  a ack  1-4/tab view  esc back  q quit',
  timeline: '↑↓ move  esc back  1-4/tab view  q quit',
}

export function footerLine(view: ViewName, status: { text: string, bad: boolean } | null, width: number, colour: boolean): React.ReactElement {
  const parts: Part[] = []
  if (status) parts.push({ text: clean(status.text), colour: status.bad ? 'red' : 'green' }, '  ')
  parts.push({ text: HINTS[view], dim: true })
  return line('footer', fitParts(parts, width), colour)
}

/** Cut a line's parts to `width` columns in total, the last visible part ending in "…". */
export function fitParts(parts: readonly Part[], width: number): Part[] {
  const out: Part[] = []
  let left = width
  const all = parts.map((p) => typeof p === 'string' ? { text: p } : p)
  const total = all.reduce((n, p) => n + widthOf(p.text), 0)
  if (total <= width) return [...parts]
  for (const p of all) {
    if (left <= 0) break
    const t = truncate(p.text, left)
    out.push({ ...p, text: t })
    left -= widthOf(t)
  }
  return out
}
