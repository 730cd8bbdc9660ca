/**
 * The direct transport: plain TCP (`--listen host:port`, `--connect host:port`) wrapped in a
 * Noise secret stream. For VPNs, known addresses and tests. Dialed addresses reconnect with
 * bounded, jittered exponential backoff while the transport runs.
 */
import { EventEmitter } from 'node:events'
import net from 'node:net'
import NoiseSecretStream from '@hyperswarm/secret-stream'
import { OnsetError } from '../../base/errors.ts'
import type { Identity } from '../../crypto/identity.ts'
import { admit, type AccessGate, type Transport, type TransportEvents } from './transport.ts'

/** A dialed connection that stayed up this long resets the redial backoff. */
const STABLE_MS = 10_000

export interface DirectOptions {
  identity: Identity
  gate: AccessGate
  listen?: { host: string, port: number }
  connect?: { host: string, port: number }[]
  /** backoff bounds, ms */
  minBackoff?: number
  maxBackoff?: number
  random?: () => number
}

export function parseHostPort(s: string): { host: string, port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(s.trim())
  const port = m ? Number(m[2]) : NaN
  if (!m || port < 0 || port > 65535) throw new OnsetError('BAD_ARGUMENT', `not a host:port: "${s}" (e.g. 192.0.2.10:49737)`)
  return { host: m[1]!, port }
}

export class DirectTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly kind = 'direct' as const
  private readonly o: DirectOptions
  private server: net.Server | null = null
  private readonly sockets = new Set<net.Socket>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly live = new Map<string, boolean>()
  private stopped = false

  constructor(o: DirectOptions) {
    super()
    this.o = o
  }

  /** The bound listening address (port 0 resolves to the real port). */
  address(): { host: string, port: number } | null {
    const a = this.server?.address()
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : null
  }

  async start(): Promise<void> {
    if (this.o.listen) {
      const server = net.createServer((sock) => this.wrap(sock, false, `${sock.remoteAddress}:${sock.remotePort}`))
      server.maxConnections = 256
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => reject(new OnsetError(err.code === 'EADDRINUSE' ? 'ALREADY_EXISTS' : 'IO', `cannot listen on ${this.o.listen!.host}:${this.o.listen!.port}: ${err.code ?? err.message}`)))
        server.listen(this.o.listen!.port, this.o.listen!.host, () => resolve())
      })
      server.on('error', (err) => this.emit('error', err))
      this.server = server
    }
    for (const a of this.o.connect ?? []) this.dial(a, 0)
  }

  /** Dial an address now (and keep redialing it while this transport runs). */
  dial(a: { host: string, port: number }, attempt = 0): void {
    if (this.stopped) return
    const id = `${a.host}:${a.port}`
    if (this.live.get(id)) return
    this.live.set(id, true)
    const sock = net.connect(a.port, a.host)
    const s = this.wrap(sock, true, id)
    let openedAt = -1
    void s.opened.then((ok) => { if (ok) openedAt = Date.now() })
    s.on('close', () => {
      this.live.set(id, false)
      if (this.stopped) return
      const min = this.o.minBackoff ?? 250
      const max = this.o.maxBackoff ?? 30_000
      // back off again unless the connection stayed up a while (a peer refusing us right after
      // the handshake must not be redialed at the minimum delay forever)
      const n = openedAt >= 0 && Date.now() - openedAt >= STABLE_MS ? 0 : attempt + 1
      const delay = Math.min(max, min * 2 ** Math.min(n, 16)) * (0.5 + (this.o.random ?? Math.random)() / 2)
      const t = setTimeout(() => { this.timers.delete(t); this.dial(a, n) }, delay)
      this.timers.add(t)
    })
  }

  private wrap(sock: net.Socket, initiator: boolean, address: string): NoiseSecretStream {
    this.sockets.add(sock)
    sock.setNoDelay(true)
    sock.on('close', () => this.sockets.delete(sock))
    sock.on('error', () => {})
    const s = new NoiseSecretStream(initiator, sock, { keyPair: { publicKey: this.o.identity.publicKey, secretKey: this.o.identity.secretKey } })
    s.setKeepAlive(5000)
    void admit(this, 'direct', s, address, this.o.gate)
    return s
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    for (const s of this.sockets) s.destroy()
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()))
    this.server = null
  }
}
