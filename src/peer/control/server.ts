/**
 * The control socket server a running peer owns. The socket lives in the data directory, which
 * is 0700, and the socket itself is chmod 0600 before it accepts anything, so only the owner's
 * processes can connect. A socket file left by a crashed peer is detected (nothing answers on
 * it) and replaced; a live one means another peer owns the directory (LOCKED).
 */
import { promises as fs } from 'node:fs'
import net from 'node:net'
import { OnsetError } from '../../base/errors.ts'
import type { BacklogEntry, TypedEmitter } from '../../base/events.ts'
import type { Logger } from '../../base/logger.ts'
import { silentLogger } from '../../base/logger.ts'
import { CONTROL_PROTOCOL, LineSplitter, parseRequest, type Response } from './protocol.ts'

export type Handler = (params: unknown) => Promise<unknown> | unknown

export interface ControlServerOptions<E extends Record<string, unknown>> {
  socketPath: string
  handlers: Record<string, Handler>
  events?: TypedEmitter<E>
  logger?: Logger
  /** most concurrent clients (dashboards, scripts) */
  maxClients?: number
}

/** Whether something is listening on the socket path. */
export function probeSocket(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath)
    const t = setTimeout(() => { s.destroy(); resolve(false) }, timeoutMs)
    s.once('connect', () => { clearTimeout(t); s.destroy(); resolve(true) })
    s.once('error', () => { clearTimeout(t); resolve(false) })
  })
}

export class ControlServer<E extends Record<string, unknown>> {
  private readonly opts: ControlServerOptions<E>
  private server: net.Server | null = null
  private readonly clients = new Set<net.Socket>()

  constructor(opts: ControlServerOptions<E>) {
    this.opts = opts
  }

  get clientCount(): number { return this.clients.size }

  async listen(): Promise<void> {
    const p = this.opts.socketPath
    try {
      await fs.lstat(p)
      if (await probeSocket(p)) {
        throw new OnsetError('LOCKED', `another onset peer is running on this data directory (its control socket ${p} answers)`, { hint: 'stop it, or use --data for another directory' })
      }
      await fs.rm(p, { force: true }) // stale socket from a crashed peer
    } catch (err) {
      if (err instanceof OnsetError) throw err
    }
    const server = net.createServer((sock) => this.onClient(sock))
    server.maxConnections = this.opts.maxClients ?? 32
    const oldMask = process.umask(0o177) // the socket is created 0600
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(p, () => { server.off('error', reject); resolve() })
      })
    } finally {
      process.umask(oldMask)
    }
    await fs.chmod(p, 0o600)
    this.server = server
  }

  private onClient(sock: net.Socket): void {
    const log = this.opts.logger ?? silentLogger
    this.clients.add(sock)
    sock.setEncoding('utf8')
    let greeted = false
    let unsubscribe: (() => void) | null = null
    const send = (r: Response) => { if (!sock.destroyed) sock.write(JSON.stringify(r) + '\n') }
    const cleanup = () => { this.clients.delete(sock); unsubscribe?.() }
    sock.on('close', cleanup)
    sock.on('error', (err) => log.debug('control client error', { err: err.message }))
    const splitter = new LineSplitter((line) => {
      let req
      try { req = parseRequest(line) } catch (err) {
        send({ v: CONTROL_PROTOCOL, id: -1, error: { code: 'MALFORMED', message: (err as Error).message } })
        return
      }
      if (req.v !== CONTROL_PROTOCOL) {
        send({ v: CONTROL_PROTOCOL, id: req.id, error: { code: 'PROTOCOL_MISMATCH', message: `this peer speaks control protocol ${CONTROL_PROTOCOL}, the client ${req.v}`, hint: 'use the same onset version for the peer and the client' } })
        sock.end()
        return
      }
      if (!greeted) {
        if (req.method !== 'hello') {
          send({ v: CONTROL_PROTOCOL, id: req.id, error: { code: 'MALFORMED', message: 'the first control request must be hello' } })
          sock.end()
          return
        }
        greeted = true
        send({ v: CONTROL_PROTOCOL, id: req.id, result: { protocol: CONTROL_PROTOCOL, pid: process.pid } })
        return
      }
      if (req.method === 'subscribe') {
        const events = this.opts.events
        if (!events) { send({ v: CONTROL_PROTOCOL, id: req.id, error: { code: 'NOT_FOUND', message: 'this peer has no event stream' } }); return }
        unsubscribe?.()
        const replay = Boolean((req.params as { replay?: boolean } | undefined)?.replay)
        send({ v: CONTROL_PROTOCOL, id: req.id, result: { subscribed: true } })
        unsubscribe = events.onAny((e: BacklogEntry<E>) => send({ v: CONTROL_PROTOCOL, event: { seq: e.seq, type: e.type, payload: e.payload } }), { replay })
        return
      }
      const h = this.opts.handlers[req.method]
      if (!h) { send({ v: CONTROL_PROTOCOL, id: req.id, error: { code: 'NOT_FOUND', message: `unknown control method "${req.method}"` } }); return }
      const id = req.id
      Promise.resolve().then(() => h(req.params)).then(
        (result) => send({ v: CONTROL_PROTOCOL, id, result: result ?? null }),
        (err: unknown) => {
          if (err instanceof OnsetError) send({ v: CONTROL_PROTOCOL, id, error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } })
          else {
            log.error('control handler failed', { method: req.method, err: (err as Error)?.stack ?? String(err) })
            send({ v: CONTROL_PROTOCOL, id, error: { code: 'INTERNAL', message: `internal error in ${req.method}: ${(err as Error)?.message ?? String(err)}` } })
          }
        },
      )
    })
    sock.on('data', (chunk: string) => {
      try { splitter.push(chunk) } catch (err) {
        send({ v: CONTROL_PROTOCOL, id: -1, error: { code: 'MALFORMED', message: (err as Error).message } })
        sock.destroy()
      }
    })
  }

  async close(): Promise<void> {
    const s = this.server
    this.server = null
    for (const c of this.clients) c.destroy()
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
    await fs.rm(this.opts.socketPath, { force: true })
  }
}
