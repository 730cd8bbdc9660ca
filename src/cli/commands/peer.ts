import type { Command } from 'commander'
import { OnsetError } from '../../base/errors.ts'
import { PeerKey, type CardId } from '../../crypto/ids.ts'
import { ControlServer } from '../../peer/control/server.ts'
import { PeerDaemon } from '../../peer/daemon.ts'
import { buildSnapshot, safeToFormat } from '../../peer/status.ts'
import { parseHostPort } from '../../replicate/transport/direct.ts'
import type { Context } from '../context.ts'
import { collect } from './options.ts'
import { untilSignal, VERSION } from '../process.ts'
import { parseOffloadRequest } from '../../peer/offload-job.ts'
import { parseVerifyRequest } from '../../peer/verify-job.ts'
import { runForwarded } from '../forward.ts'
import { makeSource } from '../dash-source.ts'
import { renderDashboard } from '../../tui/render.ts'
import { Production } from '../../peer/production.ts'
import { BlindDaemon, readBlind, type BlindProduction } from '../../peer/blind.ts'
import type { Home } from '../../peer/home.ts'
import { addMember, revokeMember } from '../../peer/members.ts'
import type { Role } from '../../log/events.ts'

async function runBlind(c: Context, home: Home, blind: BlindProduction[], o: { listen?: string, connect: string[], bootstrap: string[], dhtHost?: string }): Promise<void> {
  const bp = c.opts.production ? blind.find((b) => b.key.startsWith(c.opts.production!)) : blind[0]
  if (!bp) throw new OnsetError('NOT_FOUND', `no blind production "${c.opts.production}" on this peer`)
  const d = new BlindDaemon(home, bp, { listen: o.listen ? parseHostPort(o.listen) : undefined, connect: o.connect.map(parseHostPort), bootstrap: o.bootstrap.map(parseHostPort), dhtHost: o.dhtHost })
  const control = new ControlServer({ socketPath: home.paths.controlSocket, events: d.events, handlers: { holdings: () => d.holdings() } })
  await control.listen()
  await d.start()
  const addr = d.direct?.address()
  c.out.line({ event: 'started', peer: home.identity.peerKey, production: bp.key, blind: true, listen: addr ?? null }, `blind vault ${PeerKey.short(home.identity.peerKey)} mirroring ${bp.name} (${bp.key.slice(0, 8)}) as ciphertext${addr ? `, listening on ${addr.host}:${addr.port}` : ''}. Ctrl-C to stop.`)
  d.events.onAny((e) => { if (c.out.json) c.out.line({ event: e.type, ...(e.payload as object) }, '') })
  await untilSignal(() => control.close().then(() => d.stop()))
  c.out.line({ event: 'stopped' }, 'stopped cleanly')
}

export function register(program: Command, ctx: () => Context): void {
  program.command('peer')
    .description('run this peer: replicate the custody log and media with the other members until stopped (Ctrl-C)')
    .option('--listen <host:port>', 'accept direct connections here (port 0: any free port)')
    .option('--connect <host:port>', 'keep a direct connection to this peer (repeatable)', collect, [])
    .option('--bootstrap <host:port>', 'a HyperDHT bootstrap node for the internet transport (repeatable)', collect, [])
    .option('--public-dht', 'use the public HyperDHT for discovery (off unless chosen)')
    .option('--dht-host <host>', 'bind the DHT node to this address')
    .option('--dht-reachable', 'this machine takes incoming UDP directly (same set LAN as the others, or a public server): skip the DHT\'s firewall probing, so the first connection comes at once')
    .option('--want <which>', 'which cards to fetch: all, own or none (default: all; a DIT may choose own)', 'all')
    .option('--lan', 'the LAN transport: libp2p with mDNS discovery on the local network, no configuration')
    .option('--lan-listen <multiaddr>', 'LAN listen address (default /ip4/0.0.0.0/tcp/0; repeatable)', collect, [])
    .option('--lan-connect <multiaddr>', 'dial this LAN peer directly (repeatable)', collect, [])
    .option('--no-mdns', 'with --lan: no mDNS discovery (dial --lan-connect addresses only)')
    .action(async (o: { listen?: string, connect: string[], bootstrap: string[], publicDht?: boolean, dhtHost?: string, dhtReachable?: boolean, want: string, lan?: boolean, lanListen: string[], lanConnect: string[], mdns: boolean }) => {
      const c = ctx()
      const lan = o.lan || o.lanConnect.length ? { listen: o.lanListen.length ? o.lanListen : undefined, connect: o.lanConnect, mdns: o.mdns } : undefined
      if (!['all', 'own', 'none'].includes(o.want)) throw new OnsetError('BAD_ARGUMENT', '--want is all, own or none')
      if (!o.listen && !o.connect.length && !o.bootstrap.length && !o.publicDht && !lan) throw new OnsetError('USAGE', 'nothing to connect with', { hint: 'give --listen host:port, --connect host:port, --bootstrap host:port or --public-dht' })
      const home = await c.home()
      const blind = await readBlind(home)
      if (home.productions.length === 0 && blind.length > 0) {
        await runBlind(c, home, blind, o)
        return
      }
      const production = await Production.open(home, c.opts.production)
      const savePassphrase = await c.savePassphrase(home)
      const daemon = new PeerDaemon({
        production, listen: o.listen ? parseHostPort(o.listen) : undefined, connect: o.connect.map(parseHostPort),
        bootstrap: o.bootstrap.map(parseHostPort), publicDht: o.publicDht, dhtHost: o.dhtHost, dhtReachable: o.dhtReachable, want: o.want as 'all' | 'own' | 'none', lan,
        savePassphrase,
      })
      const control = new ControlServer({
        socketPath: home.paths.controlSocket,
        events: daemon.events,
        handlers: {
          status: () => buildSnapshot(production, daemon.live),
          'safe-to-format': (p) => safeToFormat(production, (p as { card: CardId }).card),
          timeline: (p) => production.log.queries.timeline((p as { card: CardId }).card),
          'ack-alert': async (p) => { await production.log.append({ type: 'alert.acked', alert: String((p as { id: string }).id) }); return { ok: true } },
          'repair-vault': () => daemon.repairVault(),
          offload: (p) => daemon.offload(parseOffloadRequest(p), { name: 'onset', version: VERSION }),
          verify: (p) => daemon.verify(parseVerifyRequest(p), { name: 'onset', version: VERSION }),
          cli: (p) => runForwarded(p, { home, production, savePassphrase }),
          'member-revoke': async (p) => {
            const { peer, reason } = p as { peer: string, reason?: string }
            return { epoch: await revokeMember(production, PeerKey.parse(peer), reason ?? '', await c.savePassphrase(home)) }
          },
          'member-add': async (p) => {
            const { peer, role, name, expiresAt } = p as { peer: string, role: Role, name?: string, expiresAt?: number | null }
            await addMember(production, { peer: PeerKey.parse(peer), role, name: name ?? '', expiresAt: expiresAt ?? null })
            return { ok: true }
          },
        },
      })
      let stopping: Promise<void> | null = null
      const stop = () => (stopping ??= (async () => {
        await control.close().catch(() => {})
        await daemon.stop()
        await production.close()
      })())
      try {
        await control.listen()
        await daemon.start()
      } catch (err) {
        await stop()
        throw err
      }
      const addr = daemon.direct?.address()
      const lanAddrs = daemon.lan?.addresses() ?? []
      c.out.line({ event: 'started', peer: home.identity.peerKey, production: production.key, listen: addr ?? null, lan: lanAddrs, control: home.paths.controlSocket }, [
        `peer ${PeerKey.short(home.identity.peerKey)} running production ${production.held.name} (${production.key.slice(0, 8)})`,
        ...(addr ? [`listening on ${addr.host}:${addr.port}`] : []),
        ...lanAddrs.map((a) => `LAN: ${a}`),
        'Ctrl-C to stop.',
      ].join('\n'))
      if (process.stdout.isTTY && !c.out.json) {
        // on a terminal the peer shows its dashboard; q stops the peer
        const source = await makeSource({
          status: () => buildSnapshot(production, daemon.live),
          timeline: (card) => production.log.queries.timeline(card),
          ack: async (id) => { await production.log.append({ type: 'alert.acked', alert: id }) },
          onChange: (fn) => daemon.events.onAny(() => fn()),
        })
        const ui = renderDashboard(source)
        await ui.waitUntilExit()
        source.close()
        await stop()
        c.out.line({ event: 'stopped' }, 'stopped cleanly')
        return
      }
      daemon.events.onAny((e) => {
        if (c.out.json) c.out.line({ event: e.type, ...(e.payload as object) }, '')
        else {
          const p = e.payload as Record<string, unknown>
          if (e.type === 'log-update' || e.type === 'transfer') return
          c.out.line(null, `${new Date().toISOString().slice(11, 19)} ${e.type} ${Object.entries(p).map(([k, v]) => `${k}=${typeof v === 'string' && v.length === 64 ? v.slice(0, 8) : String(v)}`).join(' ')}`)
        }
      })
      await untilSignal(stop)
      c.out.line({ event: 'stopped' }, 'stopped cleanly')
    })
}
