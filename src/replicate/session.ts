/**
 * One sync session: the onset/sync/v1 channel on an admitted connection (wire.ts), plus, for
 * members, replication of the production's cores on the same stream. The production side is
 * abstracted as a SyncHost so the same session runs for keyed peers and blind vaults.
 *
 * Joiners (non-members let in by the gate) get the channel only — no core replication — and
 * must send a valid `join` within JOIN_TIMEOUT_MS or they are cut.
 */
import { EventEmitter } from 'node:events'
import c from 'compact-encoding'
import Protomux from 'protomux'
import { OnsetError } from '../base/errors.ts'
import type { PeerKey, ProductionKey } from '../crypto/ids.ts'
import type { WriterBinding } from '../log/events.ts'
import type { PeerConnection } from './transport/transport.ts'
import { parseAttest, parseHello, parseJoin, SYNC_PROTOCOL, type AdmittedMsg, type AttestMsg, type Hello, type JoinMsg, type RefusedMsg } from './wire.ts'

export const JOIN_TIMEOUT_MS = 8_000

export interface SyncHost {
  readonly productionKey: ProductionKey
  role(): string | null
  binding(): WriterBinding | null
  knownCores(): Promise<string[]>
  /** start replicating the production's cores on this stream */
  replicate(conn: PeerConnection): void
  onHello(remote: PeerKey, hello: Hello): Promise<void>
  /** answer a join request; throw OnsetError to refuse */
  onJoin(remote: PeerKey, msg: JoinMsg, handshakeHash: Buffer): Promise<AdmittedMsg>
  onAttest(remote: PeerKey, msg: AttestMsg): Promise<void>
}

export interface SessionEvents {
  hello: [Hello]
  admitted: [AdmittedMsg]
  refused: [RefusedMsg]
  closed: []
  error: [Error]
}

interface Messages {
  hello: { send(v: unknown): boolean }
  join: { send(v: unknown): boolean }
  admitted: { send(v: unknown): boolean }
  refused: { send(v: unknown): boolean }
  attest: { send(v: unknown): boolean }
}

export class SyncSession extends EventEmitter<SessionEvents> {
  readonly conn: PeerConnection
  private readonly host: SyncHost | null
  private readonly productionKey: ProductionKey
  private m!: Messages
  private joinTimer: NodeJS.Timeout | null = null
  remoteHello: Hello | null = null
  closed = false

  /** `host` is null on a joiner that has no production yet (it only sends join). */
  constructor(conn: PeerConnection, productionKey: ProductionKey, host: SyncHost | null) {
    super()
    this.conn = conn
    this.host = host
    this.productionKey = productionKey
  }

  open(): void {
    const mux = Protomux.from(this.conn.stream)
    const channel = mux.createChannel({
      protocol: SYNC_PROTOCOL,
      id: Buffer.from(this.productionKey, 'hex'),
      onopen: () => { void this.sendHello() },
      onclose: () => this.close(),
    })
    if (!channel) { this.close(); return }
    const fire = (fn: (v: unknown) => Promise<void>) => (v: unknown) => { void fn(v).catch((err: unknown) => this.fail(err)) }
    this.m = {
      hello: channel.addMessage({ encoding: c.json, onmessage: fire((v) => this.onHello(v)) }),
      join: channel.addMessage({ encoding: c.json, onmessage: fire((v) => this.onJoin(v)) }),
      admitted: channel.addMessage({ encoding: c.json, onmessage: fire(async (v) => { this.emit('admitted', v as AdmittedMsg) }) }),
      refused: channel.addMessage({ encoding: c.json, onmessage: fire(async (v) => { this.emit('refused', { reason: String((v as RefusedMsg)?.reason ?? '').slice(0, 500) }) }) }),
      attest: channel.addMessage({ encoding: c.json, onmessage: fire((v) => this.onAttest(v)) }),
    }
    channel.open()
    this.conn.stream.on('close', () => this.close())
    if (this.conn.admission === 'joiner') {
      this.joinTimer = setTimeout(() => this.fail(new OnsetError('PEER_REFUSED', 'a non-member connected and did not ask to join in time')), JOIN_TIMEOUT_MS)
    } else if (this.host) {
      // members replicate the log and the media on the same stream (never inside onmessage)
      this.host.replicate(this.conn)
    }
  }

  private async sendHello(): Promise<void> {
    if (!this.host || this.conn.admission === 'joiner') return
    this.m.hello.send({ v: 1, role: this.host.role(), binding: this.host.binding(), cores: (await this.host.knownCores()).slice(0, 4096) } satisfies Hello)
  }

  private async onHello(v: unknown): Promise<void> {
    const h = parseHello(v)
    if (!h) throw new OnsetError('MALFORMED', 'malformed hello')
    if (this.conn.admission === 'joiner') throw new OnsetError('PEER_REFUSED', 'a non-member sent hello')
    this.remoteHello = h
    this.emit('hello', h)
    if (this.host) await this.host.onHello(this.conn.remoteKey, h)
  }

  private async onJoin(v: unknown): Promise<void> {
    const j = parseJoin(v)
    if (!j) throw new OnsetError('MALFORMED', 'malformed join request')
    if (!this.host) throw new OnsetError('PEER_REFUSED', 'this peer cannot admit anyone')
    if (this.joinTimer) { clearTimeout(this.joinTimer); this.joinTimer = null }
    try {
      const a = await this.host.onJoin(this.conn.remoteKey, j, this.conn.stream.handshakeHash!)
      this.m.admitted.send(a)
    } catch (err) {
      if (!(err instanceof OnsetError)) throw err
      this.m.refused.send({ reason: err.message })
      if (this.conn.admission === 'joiner') setTimeout(() => this.close(), 100)
    }
  }

  private async onAttest(v: unknown): Promise<void> {
    const a = parseAttest(v)
    if (!a) throw new OnsetError('MALFORMED', 'malformed attestation message')
    if (this.conn.admission === 'joiner') throw new OnsetError('PEER_REFUSED', 'a non-member sent an attestation')
    if (this.host) await this.host.onAttest(this.conn.remoteKey, a)
  }

  /** Joiner side: ask for our secrets (with an invite, or as an admitted member). */
  sendJoin(msg: JoinMsg): void { this.m.join.send(msg) }

  sendAttestation(attestation: string): void { this.m.attest.send({ attestation } satisfies AttestMsg) }

  private fail(err: unknown): void {
    this.emit('error', err instanceof Error ? err : new Error(String(err)))
    this.close()
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.joinTimer) clearTimeout(this.joinTimer)
    this.conn.stream.destroy()
    this.emit('closed')
  }
}
