import type { Command } from 'commander'
import { PeerKey } from '../../crypto/ids.ts'
import type { Context } from '../context.ts'
import { when } from '../format.ts'
import { cardArg } from './options.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('log')
    .description('the custody history: of the production, a card, or one file')
    .option('--card <card>', 'one card')
    .option('--file <path>', 'one file of that card (path inside the card)')
    .action(async (o: { card?: string, file?: string }) => {
      const c = ctx()
      await c.withProduction(async (p) => {
        const names = new Map((await p.log.queries.members()).map((m) => [m.peer as string, m.name]))
        const rows = o.card ? await p.log.queries.timeline(cardArg(o.card), o.file) : [...await p.log.queries.productionTimeline(), ...(await Promise.all((await p.log.queries.cards()).map((x) => p.log.queries.timeline(x.card)))).flat()].sort((a, b) => a.seq - b.seq)
        const rejected = await p.log.queries.rejected()
        c.out.result({ events: rows.map((r) => ({ ...r, byName: r.by ? names.get(r.by) ?? '' : '' })), rejected }, () => [
          ...rows.map((r) => `${when(r.at)}  ${(r.by ? names.get(r.by) || PeerKey.short(r.by) : '?').padEnd(12)}  ${r.text}`),
          ...(rejected.length && !o.card ? ['', `${rejected.length} rejected event(s):`, ...rejected.map((x) => `  ${x.type} from ${x.peer ? PeerKey.short(x.peer) : x.writer.slice(0, 8)}: ${x.reason}`)] : []),
          '(times are each writer\'s own claim)',
        ].join('\n'))
      })
    })
}
