/**
 * A blind vault: a member that stores, serves and verifies a production's ciphertext but never
 * holds its secrets. It cannot read the custody log, so it keeps no production secret at all:
 * `<data>/blind-productions.json` records the production key and the peers it trusts (the admin
 * that admitted it, then every member those peers vouch for in their hello).
 *
 *   { "version": 1, "productions": [ { "key": "<64 hex>", "name": "…", "trusted": ["<peer key>", …] } ] }
 *
 * Every core a trusted peer names in its hello (the log's writer cores, the blobs cores) is
 * opened by key without a decryption key and mirrored in full; Hypercore verifies every block
 * against its writer's signed Merkle tree, so the vault verifies what it cannot read.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import Corestore from 'corestore'
import type Hypercore from 'hypercore'
import { atomicWriteFile } from '../base/atomic.ts'
import { OnsetError } from '../base/errors.ts'
import { TypedEmitter } from '../base/events.ts'
import { PeerKey, ProductionKey } from '../crypto/ids.ts'
import { topicFor } from '../crypto/secrets.ts'
import type { WriterBinding } from '../log/events.ts'
import { SyncSession, type SyncHost } from '../replicate/session.ts'
import { DirectTransport } from '../replicate/transport/direct.ts'
import { SwarmTransport } from '../replicate/transport/swarm.ts'
import type { PeerConnection, Transport } from '../replicate/transport/transport.ts'
import type { AdmittedMsg, Hello } from '../replicate/wire.ts'
import type { PeerEvents } from './events.ts'
import type { Home } from './home.ts'

export interface BlindProduction { key: ProductionKey, name: string, trusted: PeerKey[] }

const FILE = 'blind-productions.json'

export async function readBlind(home: Home): Promise<BlindProduction[]> {
  try {
    const v = JSON.parse(await fs.readFile(path.join(home.paths.root, FILE), 'utf8')) as { version: number, productions: BlindProduction[] }
    if (v.version !== 1 || !Array.isArray(v.productions)) throw new Error('shape')
    return v.productions.filter((p) => ProductionKey.is(p.key) && Array.isArray(p.trusted) && p.trusted.every((k) => PeerKey.is(k)))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new OnsetError('MALFORMED', `${path.join(home.paths.root, FILE)} is damaged`, { hint: 'restore it or join the production again' })
  }
}

export async function saveBlind(home: Home, list: BlindProduction[]): Promise<void> {
  await atomicWriteFile(path.join(home.paths.root, FILE), JSON.stringify({ version: 1, productions: list }, null, 2) + '\n', { replace: true, mode: 0o600 })
}

export class BlindDaemon implements SyncHost {
  readonly events = new TypedEmitter<PeerEvents>({ backlog: 500 })
  readonly productionKey: ProductionKey
  private readonly home: Home
  private readonly bp: BlindProduction
  private readonly store: Corestore
  private readonly cores = new Map<string, Hypercore>()
  private readonly transports: Transport[] = []
  private readonly sessions = new Set<SyncSession>()
  private readonly trusted: Set<string>
  private readonly o: { listen?: { host: string, port: number }, connect?: { host: string, port: number }[], bootstrap?: { host: string, port: number }[], dhtHost?: string }

  constructor(home: Home, bp: BlindProduction, o: BlindDaemon['o'] = {}) {
    this.home = home
    this.bp = bp
    this.productionKey = bp.key
    this.trusted = new Set(bp.trusted)
    this.store = new Corestore(path.join(home.paths.root, 'vault-store'))
    this.o = o
  }

  get direct(): DirectTransport | undefined { return this.transports.find((t): t is DirectTransport => t instanceof DirectTransport) }

  async start(): Promise<void> {
    await this.store.ready()
    const gate = (k: PeerKey) => (this.trusted.has(k) ? 'member' as const : 'refuse' as const)
    if (this.o.listen || this.o.connect?.length) this.transports.push(new DirectTransport({ identity: this.home.identity, gate, listen: this.o.listen, connect: this.o.connect }))
    if (this.o.bootstrap?.length) this.transports.push(new SwarmTransport({ identity: this.home.identity, gate, topic: topicFor(ProductionKey.toBytes(this.bp.key)), bootstrap: this.o.bootstrap, host: this.o.dhtHost }))
    for (const t of this.transports) {
      t.on('connection', (c) => this.onConnection(c))
      t.on('refused', (r) => this.events.emit('refused', { peer: r.remoteKey, address: r.address, transport: r.transport, reason: r.reason }))
      await t.start()
    }
  }

  private onConnection(c: PeerConnection): void {
    const s = new SyncSession(c, this.bp.key, this)
    this.sessions.add(s)
    s.on('error', () => {})
    s.on('closed', () => { this.sessions.delete(s); this.events.emit('peer-disconnected', { peer: c.remoteKey }) })
    s.open()
    this.events.emit('peer-connected', { peer: c.remoteKey, name: '', transport: c.transport, address: c.address })
  }

  role(): string | null { return 'vault' }
  binding(): WriterBinding | null { return null }
  async knownCores(): Promise<string[]> { return [...this.cores.keys()] }

  replicate(conn: PeerConnection): void {
    const s = this.store.replicate(conn.stream)
    s.on('error', () => {})
  }

  async onHello(remote: PeerKey, hello: Hello): Promise<void> {
    if (!this.trusted.has(remote)) return
    for (const k of hello.cores) {
      if (this.cores.has(k)) continue
      const core = this.store.get({ key: Buffer.from(k, 'hex'), encryption: null })
      this.cores.set(k, core)
      await core.ready()
      core.download({ start: 0, end: -1 }) // a live mirror of every block, verified by Hypercore
      core.on('download', () => this.events.emit('transfer', { card: '', path: k.slice(0, 8), bytes: 0, pendingBytes: 0, rate: 0 }))
    }
  }

  async onJoin(): Promise<AdmittedMsg> { throw new OnsetError('PEER_REFUSED', 'a blind vault cannot admit anyone') }
  async onAttest(): Promise<void> {}

  /** What the vault holds: per core, blocks held of the length it knows; all present = verified by Merkle proofs. */
  async holdings(): Promise<{ core: string, length: number, held: number }[]> {
    const out = []
    for (const [k, c] of this.cores) {
      await c.update({ wait: false }).catch(() => {})
      out.push({ core: k, length: c.length, held: c.contiguousLength })
    }
    return out
  }

  /** Proof that the vault cannot read: a raw block is ciphertext. */
  async rawBlock(core: string, index: number): Promise<Buffer | null> {
    const c = this.cores.get(core)
    return c ? c.get(index, { wait: false }) : null
  }

  async stop(): Promise<void> {
    for (const s of this.sessions) s.close()
    for (const t of this.transports) await t.stop().catch(() => {})
    for (const c of this.cores.values()) await c.close().catch(() => {})
    await this.store.close()
  }

}
