import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { requireAdmin } from '../../peer/members.ts'
import type { Context } from '../context.ts'
import { intOption } from './options.ts'

export function register(program: Command, ctx: () => Context): void {
  const pol = program.command('policy').description('the replica policy: what "safe" means for this production')
  pol.command('set')
    .description('set the policy (admins only)')
    .requiredOption('--copies <n>', 'verified copies in total')
    .requiredOption('--peers <n>', 'distinct peers holding a verified copy')
    .requiredOption('--offsite <n>', 'verified copies off the cart that registered the card')
    .action(async (o: { copies: string, peers: string, offsite: string }) => {
      const c = ctx()
      const policy = { copies: intOption('--copies', o.copies, 1, 100), peers: intOption('--peers', o.peers, 1, 100), offsite: intOption('--offsite', o.offsite, 0, 100) }
      if (policy.peers > policy.copies || policy.offsite > policy.copies) throw new OnsetError('BAD_ARGUMENT', '--peers and --offsite cannot exceed --copies')
      await c.withProduction(async (p) => {
        await requireAdmin(p)
        await p.log.append({ type: 'policy.changed', policy })
        c.out.result({ policy }, () => `policy: ${policy.copies} verified copies, on ${policy.peers} peers, ${policy.offsite} off the cart`)
      })
    })
  pol.command('show').description('show the policy').action(async () => {
    const c = ctx()
    await c.withProduction(async (p) => {
      const policy = await p.log.queries.policy()
      c.out.result({ policy }, () => `policy: ${policy.copies} verified copies, on ${policy.peers} peers, ${policy.offsite} off the cart`)
    })
  })
}
