import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { safeToFormat, type SafeToFormat } from '../../peer/status.ts'
import type { Context } from '../context.ts'
import { when } from '../format.ts'
import { cardArg } from './options.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('safe-to-format <card>')
    .description('exit 0 only if every file of the card meets the replica policy; prints the evidence')
    .action(async (cardName: string) => {
      const c = ctx()
      const card = cardArg(cardName)
      const live = await c.viaPeer<SafeToFormat>('safe-to-format', { card })
      await (live ? show(live) : c.withProduction(async (p) => show(await safeToFormat(p, card))))
      async function show(s: SafeToFormat): Promise<void> {
        c.out.result(s, () => [
          `${card}: ${s.safe ? 'SAFE TO FORMAT' : 'NOT SAFE TO FORMAT'} (${s.state}; policy ${s.policy.copies} verified copies, ${s.policy.peers} peers, ${s.policy.offsite} off the cart)`,
          ...(s.unrecorded ? [`  ${s.unrecorded} file(s) of the card are not recorded yet`] : []),
          ...s.files.map((f) => [
            `  ${f.met ? 'ok  ' : 'MISS'} ${f.path} (${f.size} bytes, xxh64 ${f.xxh64 ?? '-'})${f.met ? '' : ` — needs ${f.missing}`}`,
            ...f.copies.map((x) => `         ${x.where}, verified ${when(x.verifiedAt)} by ${x.by}`),
          ].join('\n')),
        ].join('\n'))
        if (!s.safe) throw new OnsetError('NOT_SAFE', `${card} is not safe to format`, { hint: 'wait for more verified copies, or see what is missing above' })
      }
    })
}
