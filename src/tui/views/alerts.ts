/**
 * Alerts: newest first, with age, severity (CRIT/WARN/INFO), open/acked, kind, subject and
 * message. Acknowledged ones are dimmed and say "acked"; one being acknowledged says "ack…".
 */
import type React from 'react'
import type { AlertSnapshot } from '../../peer/snapshot.ts'
import { clean, formatAge, formatClock, severityLook, truncate } from '../format.ts'
import { placeColumns, wrap } from '../layout.ts'
import { line } from '../ui.ts'
import { headerLine, listLines, mark, message, rowParts, type ViewProps } from './common.ts'

export function sortAlerts(alerts: readonly AlertSnapshot[]): AlertSnapshot[] {
  return [...alerts].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
}

export function alertsLines(p: ViewProps & { selected: number, pending: ReadonlySet<string> }): React.ReactElement[] {
  const alerts = sortAlerts(p.snap.alerts)
  if (alerts.length === 0) return [message('none', 'No alerts.', p.colour)]
  const cols = placeColumns([
    { key: 'mark', title: '', width: 1 },
    { key: 'age', title: 'AGE', width: 4, align: 'right' },
    { key: 'sev', title: 'SEV', width: 4 },
    { key: 'status', title: 'STATE', width: 5 },
    { key: 'kind', title: 'KIND', min: 8, want: 14, drop: 1 },
    { key: 'subject', title: 'SUBJECT', min: 8, want: 14, drop: 2, middle: true },
    { key: 'message', title: 'MESSAGE', min: 16 },
  ], p.width)
  // the selected alert in full under the list, when there is room
  const sel = alerts[Math.min(Math.max(0, p.selected), alerts.length - 1)] as AlertSnapshot
  const detail = p.height >= 8 ? detailLines(sel, p.width, p.now) : []
  const rows = listLines(alerts.length, p.selected, p.height - 1 - (detail.length ? detail.length + 1 : 0), p.width, p.colour, (i) => {
    const a = alerts[i] as AlertSnapshot
    const sev = severityLook(a.severity)
    return rowParts(cols, {
      mark: mark(i === p.selected),
      age: formatAge(a.at, p.now),
      sev: sev.word,
      status: a.acked ? 'acked' : p.pending.has(a.id) ? 'ack…' : 'open',
      kind: clean(a.kind),
      subject: clean(a.subject ?? ''),
      message: clean(a.message),
    }, a.acked ? {} : { sev: { colour: sev.colour, bold: a.severity === 'critical' } })
  }, (i) => (alerts[i] as AlertSnapshot).acked)
  const pane = detail.length ? [line('rule', [{ text: '─'.repeat(p.width), dim: true }], p.colour), ...detail.map((t, i) => line(`detail-${i}`, [t], p.colour))] : []
  return [headerLine(cols, p.colour), ...rows, ...pane]
}

/** Up to 3 lines: the alert's severity, kind, time, subject and whole message, wrapped. */
export function detailLines(a: AlertSnapshot, width: number, now: number): string[] {
  const text = `${severityLook(a.severity).word} ${clean(a.kind)} at ${formatClock(a.at, now)}${a.subject ? ` on ${clean(a.subject)}` : ''}${a.acked ? ' (acknowledged)' : ''}: ${clean(a.message)}`
  const lines = wrap(text, width)
  if (lines.length <= 3) return lines
  return [lines[0] as string, lines[1] as string, truncate(`${lines[2]} ${lines.slice(3).join(' ')}`, width)]
}
