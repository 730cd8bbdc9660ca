import type { Command } from 'commander'
import { PeerKey } from '../../crypto/ids.ts'
import { DEFAULT_POLICY } from '../../log/events.ts'
import { Production } from '../../peer/production.ts'
import type { Context } from '../context.ts'
import { intOption } from './options.ts'

export function register(program: Command, ctx: () => Context): void {
  const prod = program.command('production').description('create and inspect productions')
  prod.command('create <name>')
    .description('create a production; this peer becomes its first admin')
    .option('--as <your-name>', 'how this peer is named to the crew (e.g. "DIT cart")', '')
    .option('--copies <n>', 'policy: verified copies in total', String(DEFAULT_POLICY.copies))
    .option('--peers <n>', 'policy: distinct peers holding a verified copy', String(DEFAULT_POLICY.peers))
    .option('--offsite <n>', 'policy: verified copies off the cart', String(DEFAULT_POLICY.offsite))
    .action(async (name: string, o: { as: string, copies: string, peers: string, offsite: string }) => {
      const c = ctx()
      const home = await c.home()
      const policy = { copies: intOption('--copies', o.copies, 1, 100), peers: intOption('--peers', o.peers, 1, 100), offsite: intOption('--offsite', o.offsite, 0, 100) }
      const p = await Production.create(home, await c.savePassphrase(home), { name, creatorName: o.as, policy })
      try {
        c.out.result({ production: p.key, name, admin: home.identity.peerKey, policy }, () => [
          `created production "${name}"`,
          `  key      ${p.key}`,
          `  admin    ${PeerKey.short(home.identity.peerKey)} (this peer)`,
          `  policy   ${policy.copies} verified copies, on ${policy.peers} peers, ${policy.offsite} off the cart`,
          'Next: `onset invite --role lab` for the lab, then `onset offload <card> --card A001 --dest <drive>`.',
        ].join('\n'))
      } finally { await p.close() }
    })
}
