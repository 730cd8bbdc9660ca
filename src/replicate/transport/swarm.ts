/**
 * The internet transport: Hyperswarm on the production's topic (crypto/secrets topicFor).
 * Bootstrap nodes are configured (`--bootstrap host:port`, e.g. a node run on the set LAN with
 * `onset bootstrap`); the public DHT is used only when the user opts in (`--public-dht`).
 * Hyperswarm's firewall refuses non-members at the handshake where the key alone decides; the
 * shared gate runs again once the connection is up.
 */
import { EventEmitter } from 'node:events'
import HyperDHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import { OnsetError } from '../../base/errors.ts'
import type { Identity } from '../../crypto/identity.ts'
import { PeerKey } from '../../crypto/ids.ts'
import { admit, type AccessGate, type Transport, type TransportEvents } from './transport.ts'

export interface SwarmOptions {
  identity: Identity
  gate: AccessGate
  topic: Uint8Array
  bootstrap?: { host: string, port: number }[]
  publicDht?: boolean
  /** bind the DHT node to this host (tests: 127.0.0.1) */
  host?: string
  /**
   * false: this node is directly reachable (a flat set LAN, loopback), so peers connect without
   * hole punching. Default: HyperDHT decides. Between two processes on loopback, hole punching
   * (hyperdht 6.34) stalled about half of first connections for ~13 s (timeout, then a retry).
   */
  firewalled?: boolean
  /** a synchronous pre-check of the key for Hyperswarm's firewall (true = may connect) */
  knownKey?: (key: PeerKey) => boolean
}

export class SwarmTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly kind = 'internet' as const
  private readonly o: SwarmOptions
  private swarm: Hyperswarm | null = null

  constructor(o: SwarmOptions) {
    super()
    if (!o.publicDht && !(o.bootstrap && o.bootstrap.length)) {
      throw new OnsetError('USAGE', 'the internet transport needs bootstrap nodes', { hint: 'pass --bootstrap host:port (e.g. a node started with `onset bootstrap` on the set LAN), or --public-dht to use the public HyperDHT' })
    }
    this.o = o
  }

  async start(): Promise<void> {
    const dht = new HyperDHT({ bootstrap: this.o.publicDht ? undefined : this.o.bootstrap, ...(this.o.host ? { host: this.o.host } : {}), ...(this.o.firewalled === false ? { firewalled: false } : {}), keyPair: { publicKey: this.o.identity.publicKey, secretKey: this.o.identity.secretKey } })
    const swarm = new Hyperswarm({
      dht,
      keyPair: { publicKey: this.o.identity.publicKey, secretKey: this.o.identity.secretKey },
      firewall: (remote) => (this.o.knownKey ? !this.o.knownKey(PeerKey.fromBytes(remote)) : false),
    })
    swarm.on('connection', (conn) => {
      conn.on('error', () => {})
      const address = `${(conn.rawStream as { remoteHost?: string })?.remoteHost ?? 'dht'}:${(conn.rawStream as { remotePort?: number })?.remotePort ?? 0}`
      void admit(this, 'internet', conn, address, this.o.gate)
    })
    this.swarm = swarm
    await swarm.join(this.o.topic, { server: true, client: true }).flushed()
  }

  async flush(): Promise<void> { await this.swarm?.flush() }

  async stop(): Promise<void> {
    await this.swarm?.destroy()
    this.swarm = null
  }
}

/** Run a DHT bootstrap node (for a set LAN with no internet). */
export async function runBootstrapNode(host: string, port: number): Promise<HyperDHT> {
  const node = HyperDHT.bootstrapper(port, host)
  await node.ready()
  return node
}
