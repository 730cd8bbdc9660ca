/** A control-socket client: `onset status/dash/offload/verify` use it when a peer is running. */
import net from 'node:net'
import { OnsetError, ERROR_CODES, type ErrorCode } from '../../base/errors.ts'
import { CONTROL_PROTOCOL, LineSplitter, parseResponse } from './protocol.ts'

export interface ControlEvent { seq: number, type: string, payload: unknown }

export class ControlClient {
  private readonly sock: net.Socket
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  private readonly eventListeners = new Set<(e: ControlEvent) => void>()
  private closed = false
  private readonly protocolVersion: number

  private constructor(sock: net.Socket, protocolVersion: number) {
    this.sock = sock
    this.protocolVersion = protocolVersion
    sock.setEncoding('utf8')
    const splitter = new LineSplitter((line) => this.onLine(line))
    sock.on('data', (c: string) => {
      try { splitter.push(c) } catch (err) { this.failAll(err as Error); sock.destroy() }
    })
    sock.on('close', () => { this.closed = true; this.failAll(new OnsetError('PEER_UNREACHABLE', 'the running peer closed the control connection')) })
    sock.on('error', () => {})
  }

  /** Connect and say hello; throws PEER_UNREACHABLE when no peer runs, PROTOCOL_MISMATCH on a version clash. */
  static async connect(socketPath: string, opts: { timeoutMs?: number, protocol?: number } = {}): Promise<ControlClient> {
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(socketPath)
      const t = setTimeout(() => { s.destroy(); reject(new OnsetError('TIMEOUT', `the peer's control socket ${socketPath} did not answer`)) }, opts.timeoutMs ?? 3000)
      s.once('connect', () => { clearTimeout(t); resolve(s) })
      s.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(t)
        const code = err.code === 'EACCES' ? 'NOT_AUTHORIZED' : 'PEER_UNREACHABLE'
        reject(new OnsetError(code, err.code === 'EACCES' ? `not allowed to use the peer's control socket ${socketPath}` : `no running peer at ${socketPath}`))
      })
    })
    const c = new ControlClient(sock, opts.protocol ?? CONTROL_PROTOCOL)
    await c.call('hello', { protocol: c.protocolVersion }, opts.timeoutMs ?? 3000)
    return c
  }

  private onLine(line: string): void {
    let r
    try { r = parseResponse(line) } catch { return }
    if ('event' in r) { for (const l of this.eventListeners) l(r.event); return }
    const p = this.pending.get(r.id)
    if (!p) {
      if ('error' in r) this.failAll(toError(r.error))
      return
    }
    this.pending.delete(r.id)
    if ('error' in r) p.reject(toError(r.error))
    else p.resolve(r.result)
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }

  call<T = unknown>(method: string, params?: unknown, timeoutMs = 0): Promise<T> {
    if (this.closed) return Promise.reject(new OnsetError('PEER_UNREACHABLE', 'the control connection is closed'))
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      let t: NodeJS.Timeout | undefined
      if (timeoutMs > 0) t = setTimeout(() => { this.pending.delete(id); reject(new OnsetError('TIMEOUT', `the running peer did not answer "${method}" in ${timeoutMs} ms`)) }, timeoutMs)
      this.pending.set(id, {
        resolve: (v) => { if (t) clearTimeout(t); resolve(v as T) },
        reject: (e) => { if (t) clearTimeout(t); reject(e) },
      })
      this.sock.write(JSON.stringify({ v: this.protocolVersion, id, method, params }) + '\n')
    })
  }

  /** Receive the peer's events (after `subscribe`). */
  onEvent(fn: (e: ControlEvent) => void): () => void {
    this.eventListeners.add(fn)
    return () => this.eventListeners.delete(fn)
  }

  async subscribe(opts: { replay?: boolean } = {}): Promise<void> {
    await this.call('subscribe', opts)
  }

  close(): void {
    this.closed = true
    this.sock.destroy()
  }
}

function toError(e: { code: string, message: string, hint?: string }): Error {
  if (e.code in ERROR_CODES) return new OnsetError(e.code as ErrorCode, e.message, e.hint ? { hint: e.hint } : {})
  return new Error(`peer: ${e.message}`)
}
