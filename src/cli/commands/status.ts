import type { Command } from 'commander'
import { buildSnapshot } from '../../peer/status.ts'
import type { Snapshot } from '../../peer/snapshot.ts'
import type { Context } from '../context.ts'
import { age, bytes, table } from '../format.ts'

export function renderStatus(s: Snapshot): string {
  const lines: string[] = []
  if (s.production) lines.push(`${s.production.name} (${s.production.key.slice(0, 8)}) — policy ${s.production.policy.copies} copies, ${s.production.policy.peers} peers, ${s.production.policy.offsite} off the cart`)
  lines.push(`this peer: ${s.self.name || s.self.peer.slice(0, 8)} (${s.self.role ?? 'not a member'})`, '')
  lines.push(s.cards.length ? table([
    ['CARD', 'STATE', 'COPIES', 'FILES', 'SIZE', 'PENDING', 'UNPROTECTED FOR', 'WHERE'],
    ...s.cards.map((c) => [c.card, c.state, `${c.copies}/${c.copiesWanted}`, String(c.files), bytes(c.bytes), c.bytesPending ? bytes(c.bytesPending) : '-', c.oldestUnprotectedAt ? age(c.oldestUnprotectedAt, s.at) : '-', c.where.join(', ') || '-']),
  ]) : 'no cards yet')
  lines.push('', table([
    ['PEER', 'NAME', 'ROLE', 'STATE', 'LINK', 'LAST SEEN', 'OWED TO', 'OWED FROM'],
    ...s.peers.map((p) => [p.peer.slice(0, 8), p.name + (p.self ? ' (this peer)' : ''), p.role, p.state, p.connected ? (p.transport ?? 'yes') : p.self ? '-' : 'offline', p.self ? '-' : p.lastSeen ? `${age(p.lastSeen, s.at)} ago` : 'never', p.bytesOwedTo ? bytes(p.bytesOwedTo) : '-', p.bytesOwedFrom ? bytes(p.bytesOwedFrom) : '-']),
  ]))
  const open = s.alerts.filter((a) => !a.acked)
  if (open.length) lines.push('', `${open.length} open alert(s):`, ...open.slice(0, 20).map((a) => `  [${a.severity}] ${a.kind}: ${a.message}`))
  return lines.join('\n')
}

export function register(program: Command, ctx: () => Context): void {
  program.command('status')
    .description('replica health: every card with its state and copies, the peers, open alerts')
    .action(async () => {
      const c = ctx()
      const live = await c.viaPeer<Snapshot>('status')
      if (live) { c.out.result(live, () => renderStatus(live)); return }
      await c.withProduction(async (p) => {
        const s = await buildSnapshot(p)
        c.out.result(s, () => renderStatus(s))
      })
    })
}
