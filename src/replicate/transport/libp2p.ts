/**
 * The LAN transport: libp2p 3 (TCP, mDNS discovery, libp2p's own Noise + yamux) with the peer's
 * onset identity as its libp2p key, so the libp2p PeerId IS the onset PeerKey (Ed25519).
 *
 * Per peer pair, one protocol stream `/onset/replicate/1.0.0` carries a Noise secret stream
 * (the same one every transport uses) whose remote key must equal the libp2p remote PeerId's key;
 * then the shared access gate (`admit`) decides.
 *
 * Discovery: with mDNS on, every discovered peer without a live onset stream is dialed. Both
 * sides may dial at once; per remote key one stream is kept, the one opened by the peer with the
 * smaller key (both sides apply the same rule, so they keep the same stream). A losing duplicate
 * is dropped silently (no 'refused': it is not an intrusion).
 */
import { EventEmitter } from 'node:events'
import NoiseSecretStream from '@hyperswarm/secret-stream'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import type { Connection, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { OnsetError } from '../../base/errors.ts'
import type { Identity } from '../../crypto/identity.ts'
import { PeerKey } from '../../crypto/ids.ts'
import { Libp2pStreamDuplex } from './libp2p-duplex.ts'
import { admit, type AccessGate, type Transport, type TransportEvents } from './transport.ts'

/** The libp2p protocol id of an onset replication stream. */
export const REPLICATE_PROTOCOL = '/onset/replicate/1.0.0'

export interface LanOptions {
  identity: Identity
  gate: AccessGate
  /** multiaddrs to listen on; default ['/ip4/0.0.0.0/tcp/0'] (tests: ['/ip4/127.0.0.1/tcp/0']) */
  listen?: string[]
  /** mDNS discovery on the LAN: true (default), false, or its settings */
  mdns?: boolean | { interval?: number, serviceTag?: string }
  /**
   * multiaddrs to dial at start (`/ip4/192.0.2.10/tcp/4001[/p2p/<peer id>]`) and redial while
   * running: bounded, jittered exponential backoff; a stream that stayed up 10 s resets it
   */
  connect?: string[]
  /** redial backoff bounds, ms (default 250 … 30 000) and jitter source (default Math.random) */
  minBackoff?: number
  maxBackoff?: number
  random?: () => number
  /** Noise handshake timeout, ms (default 10 s) */
  handshakeTimeoutMs?: number
  /** after refusing a key, do not dial it on discovery for this long, ms (default 60 s) */
  refusedCooldownMs?: number
}

/** The libp2p private key of an onset identity (Ed25519, from the 64-byte secret key). */
export function libp2pPrivateKey(identity: Identity): PrivateKey {
  return privateKeyFromRaw(identity.secretKey)
}

/** The onset PeerKey of a libp2p PeerId, or null when the PeerId is not an Ed25519 key. */
export function peerKeyOfPeerId(id: PeerId): PeerKey | null {
  return id.type === 'Ed25519' && id.publicKey ? PeerKey.fromBytes(id.publicKey.raw) : null
}

interface Slot { stream: NoiseSecretStream, dialer: PeerKey }

export class LanTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly kind = 'lan' as const
  private readonly o: LanOptions
  private node: Libp2p | null = null
  /** the kept onset stream per remote key */
  private readonly slots = new Map<PeerKey, Slot>()
  private readonly streams = new Set<NoiseSecretStream>()
  private readonly dialing = new Set<PeerKey>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly refusedAt = new Map<PeerKey, number>()
  private stopped = false

  constructor(o: LanOptions) {
    super()
    this.o = o
  }

  /** Our libp2p PeerId as text (the same key as our PeerKey, in libp2p's encoding). */
  peerId(): string | null { return this.node?.peerId.toString() ?? null }

  /** The listening multiaddrs, each ending in /p2p/<our peer id> (port 0 resolved). */
  addresses(): string[] { return this.node?.getMultiaddrs().map((m) => m.toString()) ?? [] }

  async start(): Promise<void> {
    const m = this.o.mdns ?? true
    const node = await createLibp2p({
      privateKey: libp2pPrivateKey(this.o.identity),
      addresses: { listen: this.o.listen ?? ['/ip4/0.0.0.0/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: m === false ? [] : [mdns(m === true ? {} : m)],
    })
    this.node = node
    await node.handle(REPLICATE_PROTOCOL, (stream, connection) => { this.attach(stream, connection, false) })
    node.addEventListener('peer:discovery', (e) => {
      const key = peerKeyOfPeerId(e.detail.id)
      if (!key || key === this.o.identity.peerKey) return
      if (this.live(key) || this.dialing.has(key)) return
      const at = this.refusedAt.get(key)
      if (at !== undefined && Date.now() - at < (this.o.refusedCooldownMs ?? 60_000)) return
      void this.dialPeer(e.detail.id, key)
    })
    for (const a of this.o.connect ?? []) this.keepDialing(a, 0)
  }

  /** The onset streams currently open (handshaking or admitted), at most one per remote key once dedupe settles. */
  openStreams(): NoiseSecretStream[] { return [...this.streams].filter((s) => !s.destroyed) }

  private live(key: PeerKey): boolean {
    const s = this.slots.get(key)
    return !!s && !s.stream.destroyed
  }

  private async dialPeer(id: PeerId, key: PeerKey): Promise<void> {
    if (!this.node || this.stopped) return
    this.dialing.add(key)
    try {
      const connection = await this.node.dial(id)
      if (this.live(key) || this.stopped) return
      const stream = await connection.newStream(REPLICATE_PROTOCOL)
      this.attach(stream, connection, true)
    } catch {
      // unreachable now; mDNS reports the peer again on its next answer
    } finally {
      this.dialing.delete(key)
    }
  }

  /** Dial a multiaddr (e.g. `/ip4/127.0.0.1/tcp/4001`) and open an onset stream over it. */
  async dial(address: string): Promise<void> {
    await this.open(address)
  }

  /** Opens an onset stream to `address`; resolves to the stream now kept with that peer. */
  private async open(address: string): Promise<NoiseSecretStream | null> {
    if (!this.node || this.stopped) throw new Error('LanTransport.dial before start()')
    let connection: Connection
    try {
      connection = await this.node.dial(multiaddr(address))
    } catch (err) {
      throw new OnsetError('PEER_UNREACHABLE', `cannot reach ${address} on the LAN transport: ${(err as Error).message}`, { cause: err })
    }
    const stream = await connection.newStream(REPLICATE_PROTOCOL)
    return this.attach(stream, connection, true)
  }

  /** Dial a configured address now and again whenever its stream is gone. */
  private keepDialing(address: string, attempt: number): void {
    if (this.stopped) return
    const later = (n: number) => {
      if (this.stopped) return
      const min = this.o.minBackoff ?? 250, max = this.o.maxBackoff ?? 30_000
      const delay = Math.min(max, min * 2 ** Math.min(n, 16)) * (0.5 + (this.o.random ?? Math.random)() / 2)
      const t = setTimeout(() => { this.timers.delete(t); this.keepDialing(address, n) }, delay)
      this.timers.add(t)
    }
    this.open(address).then((s) => {
      if (!s || s.destroyed) { later(attempt + 1); return }
      const t0 = Date.now()
      s.once('close', () => later(Date.now() - t0 >= 10_000 ? 0 : attempt + 1))
    }, () => later(attempt + 1))
  }

  /** Wraps a protocol stream (or drops it as a duplicate); returns the stream kept with that peer. */
  private attach(stream: Stream, connection: Connection, initiator: boolean): NoiseSecretStream | null {
    const address = connection.remoteAddr.toString()
    const remote = peerKeyOfPeerId(connection.remotePeer)
    if (this.stopped || !remote) {
      stream.abort(new Error(this.stopped ? 'transport stopped' : 'not an Ed25519 peer'))
      if (!this.stopped) this.emit('refused', { remoteKey: null, address, transport: 'lan', reason: 'the libp2p peer id is not an Ed25519 key' })
      return null
    }
    const me = this.o.identity.peerKey
    const dialer = initiator ? me : remote
    const prev = this.slots.get(remote)
    if (prev && !prev.stream.destroyed) {
      // keep the stream opened by the smaller key; same dialer twice: keep the older one
      const keepNew = dialer !== prev.dialer && dialer < prev.dialer
      if (!keepNew) { stream.abort(new Error('duplicate onset stream')); return prev.stream }
      prev.stream.destroy()
    }
    const raw = new Libp2pStreamDuplex(stream)
    const s = new NoiseSecretStream(initiator, raw, { keyPair: { publicKey: this.o.identity.publicKey, secretKey: this.o.identity.secretKey } })
    s.setKeepAlive(5000)
    this.streams.add(s)
    this.slots.set(remote, { stream: s, dialer })
    s.on('close', () => {
      this.streams.delete(s)
      if (this.slots.get(remote)?.stream === s) this.slots.delete(remote)
    })
    // admit reports to a relay that drops what dedupe made obsolete before listeners see it
    const relay = new EventEmitter<TransportEvents>()
    const superseded = (): boolean => this.slots.get(remote)?.stream !== s
    relay.on('connection', (c) => { if (superseded()) s.destroy(); else this.emit('connection', c) })
    relay.on('refused', (r) => {
      // a duplicate we replaced by another stream with the same (libp2p-authenticated) peer, whose
      // handshake then broke off: not an intrusion, whether or not the replacement still lives
      if (r.remoteKey === null && superseded()) return
      if (r.remoteKey) this.refusedAt.set(r.remoteKey, Date.now())
      this.emit('refused', r)
    })
    void admit(relay, 'lan', s, address, this.o.gate, this.o.handshakeTimeoutMs, remote)
    return s
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    for (const s of this.streams) s.destroy()
    this.streams.clear()
    this.slots.clear()
    const node = this.node
    this.node = null
    if (node) await node.stop()
  }
}
