import type { Command } from 'commander'
import { join } from '../../peer/join.ts'
import { parseHostPort } from '../../replicate/transport/direct.ts'
import { OnsetError } from '../../base/errors.ts'
import type { Context } from '../context.ts'
import { collect } from './options.ts'

export function register(program: Command, ctx: () => Context): void {
  program.command('join <token-or-production-key>')
    .description('join a production with an invite token (or, when already added by `member add`, with its key)')
    .option('--connect <host:port>', 'a running admin peer (any member, when already added)')
    .option('--bootstrap <host:port>', 'find an admin peer on the internet through this HyperDHT bootstrap node (repeatable)', collect, [])
    .option('--public-dht', 'find an admin peer through the public HyperDHT (off unless chosen)')
    .option('--dht-host <host>', 'bind the DHT node to this address')
    .option('--dht-reachable', 'this machine takes incoming UDP directly: skip the DHT\'s firewall probing')
    .action(async (target: string, o: { connect?: string, bootstrap: string[], publicDht?: boolean, dhtHost?: string, dhtReachable?: boolean }) => {
      const c = ctx()
      if (!o.connect && !o.bootstrap.length && !o.publicDht) throw new OnsetError('USAGE', 'say how to reach an admin peer', { hint: 'pass --connect host:port, or --bootstrap host:port (or --public-dht) to find one on the internet' })
      const home = await c.home()
      const r = await join(home, await c.savePassphrase(home), { target, connect: o.connect ? parseHostPort(o.connect) : undefined, bootstrap: o.bootstrap.map(parseHostPort), publicDht: o.publicDht, dhtHost: o.dhtHost, dhtReachable: o.dhtReachable })
      const how = o.connect ? `--connect ${o.connect}` : o.bootstrap.length ? o.bootstrap.map((b) => `--bootstrap ${b}`).join(' ') : '--public-dht'
      c.out.result(r, () => `joined "${r.name}" (${r.production.slice(0, 8)}) as ${r.role}. Run \`onset peer ${how}\` to sync.`)
    })
}
