import type { Command } from 'commander'
import { PeerKey } from '../../crypto/ids.ts'
import { ROLES, type Role } from '../../log/events.ts'
import { addMember, revokeMember } from '../../peer/members.ts'
import { OnsetError } from '../../base/errors.ts'
import { parseDuration } from '../../replicate/invite.ts'
import type { Context } from '../context.ts'
import { age, table, when } from '../format.ts'

function role(v: string): Role {
  if (!(ROLES as readonly string[]).includes(v)) throw new OnsetError('BAD_ARGUMENT', `unknown role "${v}" (choose from ${ROLES.join(', ')})`)
  return v as Role
}

export function register(program: Command, ctx: () => Context): void {
  const m = program.command('member').description('admit and revoke members (admins only)')
  m.command('add <peer-key>')
    .description('admit a peer by its key (from its `onset whoami`)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--expires <duration>', 'membership ends after this long, e.g. 72h or 14d')
    .option('--name <name>', 'how the member is shown, e.g. "Lab truck"', '')
    .action(async (key: string, o: { role: string, expires?: string, name: string }) => {
      const c = ctx()
      const peer = PeerKey.parse(key)
      const r = role(o.role)
      const expiresAt = o.expires ? Date.now() + parseDuration(o.expires) : null
      await c.withProduction(async (p) => {
        await addMember(p, { peer, role: r, name: o.name, expiresAt })
        c.out.result({ peer, role: r, name: o.name, expiresAt }, () => `admitted ${o.name || PeerKey.short(peer)} (${PeerKey.short(peer)}) as ${r}${expiresAt ? ` until ${when(expiresAt)}` : ''}`)
      })
    })
  m.command('revoke <peer-key>')
    .description('revoke a member: its connections are refused and the data key rotates')
    .option('--reason <text>', 'recorded in the log', '')
    .action(async (key: string, o: { reason: string }) => {
      const c = ctx()
      const peer = PeerKey.parse(key)
      await c.withProduction(async (p, home) => {
        const epoch = await revokeMember(p, peer, o.reason, await c.savePassphrase(home))
        c.out.result({ peer, revoked: true, epoch }, () => `revoked ${PeerKey.short(peer)}; data written from now on uses key epoch ${epoch}`)
      })
    })

  program.command('members')
    .description('list the members of the production')
    .action(async () => {
      const c = ctx()
      await c.withProduction(async (p) => {
        const list = await p.log.queries.members()
        c.out.result(list.map((x) => ({ peer: x.peer, name: x.name, role: x.role, state: x.effective, expiresAt: x.expiresAt, admittedAt: x.admittedAt, writer: x.writer !== null })), () => table([
          ['PEER', 'NAME', 'ROLE', 'STATE', 'EXPIRES', 'ADMITTED'],
          ...list.map((x) => [PeerKey.short(x.peer), x.name || '-', x.role, x.effective, x.expiresAt ? when(x.expiresAt) : 'never', `${age(x.admittedAt)} ago`]),
        ]))
      })
    })
}
