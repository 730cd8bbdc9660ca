import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { requireAdmin } from '../../peer/members.ts'
import { createInvite, INVITE_ROLES, parseDuration, type InviteRole } from '../../replicate/invite.ts'
import type { Context } from '../context.ts'
import { when } from '../format.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('invite')
    .description('print a one-time invite token (no secret inside); a running admin peer admits whoever joins with it')
    .requiredOption('--role <role>', `one of ${INVITE_ROLES.join(', ')}`)
    .option('--expires <duration>', 'the token is valid this long, e.g. 48h', '48h')
    .action(async (o: { role: string, expires: string }) => {
      const c = ctx()
      if (!(INVITE_ROLES as readonly string[]).includes(o.role)) throw new OnsetError('BAD_ARGUMENT', `unknown role "${o.role}" (choose from ${INVITE_ROLES.join(', ')})`)
      const ms = parseDuration(o.expires)
      await c.withProduction(async (p, home) => {
        await requireAdmin(p)
        const { token, invite } = createInvite(home.identity, { production: p.key, role: o.role as InviteRole, expiresAt: Date.now() + ms, name: p.held.name })
        c.out.result({ token, role: invite.role, expiresAt: invite.expiresAt, production: p.key }, () => [
          token,
          '',
          `role ${invite.role}, valid until ${when(invite.expiresAt)}, usable once.`,
          'The new peer runs: onset init && onset join <token> --connect <this peer host:port>',
          'while this peer runs `onset peer --listen <host:port>`.',
        ].join('\n'))
      })
    })
}
