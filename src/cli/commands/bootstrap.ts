import type { Command } from 'commander'
import { runBootstrapNode } from '../../replicate/transport/swarm.ts'
import { parseHostPort } from '../../replicate/transport/direct.ts'
import type { Context } from '../context.ts'
import { untilSignal } from '../process.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('bootstrap <host:port>')
    .description('run a HyperDHT bootstrap node (e.g. on an always-on machine of the set LAN, with no internet); peers use it with --bootstrap host:port')
    .action(async (hp: string) => {
      const c = ctx()
      const { host, port } = parseHostPort(hp)
      const node = await runBootstrapNode(host, port)
      c.out.line({ event: 'started', bootstrap: `${host}:${port}` }, `DHT bootstrap node on ${host}:${port} (UDP). Peers: onset peer --bootstrap ${host}:${port}. Ctrl-C to stop.`)
      await untilSignal(() => node.destroy())
      c.out.line({ event: 'stopped' }, 'stopped cleanly')
    })
}
