import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { ControlClient } from '../../peer/control/client.ts'
import { renderDashboard } from '../../tui/render.ts'
import type { Context } from '../context.ts'
import { controlAccess, makeSource } from '../dash-source.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('dash')
    .description('the live dashboard of a running peer (`onset peer`): cards, peers, alerts, custody timeline')
    .action(async () => {
      const c = ctx()
      if (!process.stdout.isTTY) throw new OnsetError('USAGE', 'the dashboard needs a terminal', { hint: 'use `onset status` (or --json) in scripts and logs' })
      const client = await ControlClient.connect(c.paths.controlSocket).catch((err: unknown) => {
        if (err instanceof OnsetError && err.code === 'PEER_UNREACHABLE') throw new OnsetError('PEER_UNREACHABLE', `no running peer in ${c.dataDir}`, { hint: 'start one with `onset peer --listen …` (or --connect …)' })
        throw err
      })
      await client.subscribe()
      const source = await makeSource(controlAccess(client))
      const ui = renderDashboard(source, { onExit: () => {} })
      await ui.waitUntilExit()
      source.close()
      client.close()
    })
}
