import type { Command } from 'commander'
import { join } from '../../peer/join.ts'
import { parseHostPort } from '../../replicate/transport/direct.ts'
import type { Context } from '../context.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('join <token-or-production-key>')
    .description('join a production with an invite token (or, when already added by `member add`, with its key)')
    .requiredOption('--connect <host:port>', 'a running admin peer (any member, when already added)')
    .action(async (target: string, o: { connect: string }) => {
      const c = ctx()
      const home = await c.home()
      const r = await join(home, await c.savePassphrase(home), { target, connect: parseHostPort(o.connect) })
      c.out.result(r, () => `joined "${r.name}" (${r.production.slice(0, 8)}) as ${r.role}. Run \`onset peer --connect ${o.connect}\` to sync.`)
    })
}
