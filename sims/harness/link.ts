/**
 * A link between two peers: the two replication streams piped through a shaper in each direction
 * that counts bytes and, when asked, delays them (latency) and paces them (bandwidth). Cutting
 * the link destroys all four streams, as a dropped connection would.
 */
import { Transform, type Duplex, type TransformCallback } from 'node:stream'

export interface LinkShape {
  /** one-way delay, ms */
  latencyMs?: number
  /** bytes per second in each direction (Infinity: unlimited) */
  bytesPerSec?: number
}

export interface WireCounter { bytes: number }

/**
 * Counts, delays and paces the bytes of one direction. Chunks leave strictly in order: one FIFO
 * and one timer for its head (separate timers per chunk could fire out of order, since timers of
 * different durations live in different lists, and a reordered byte stream is a dead link).
 */
class Shaper extends Transform {
  private readonly latency: number
  private readonly bps: number
  private readonly counter: WireCounter
  private txDone = 0
  private readonly queue: { at: number, chunk: Buffer }[] = []
  private timer: NodeJS.Timeout | null = null
  private flushCb: TransformCallback | null = null

  constructor(shape: LinkShape, counter: WireCounter) {
    super()
    this.latency = shape.latencyMs ?? 0
    this.bps = shape.bytesPerSec ?? Infinity
    this.counter = counter
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.counter.bytes += chunk.byteLength
    if (this.latency === 0 && this.bps === Infinity && this.queue.length === 0) { cb(null, chunk); return }
    const now = performance.now()
    this.txDone = Math.max(now, this.txDone) + (this.bps === Infinity ? 0 : (chunk.byteLength * 1000) / this.bps)
    this.queue.push({ at: this.txDone + this.latency, chunk })
    this.arm()
    // back-pressure: accept more only once this chunk has left the sender's side of the wire
    const sendDelay = this.txDone - now
    if (sendDelay < 1) cb()
    else setTimeout(() => cb(), sendDelay)
  }

  /** The timer is the simulated wire, not a synchronisation: nothing but the bytes waits on it. */
  private arm(): void {
    if (this.timer || this.queue.length === 0) return
    const head = this.queue[0]!
    this.timer = setTimeout(() => {
      this.timer = null
      const now = performance.now()
      while (this.queue.length && this.queue[0]!.at <= now + 0.5) {
        const { chunk } = this.queue.shift()!
        if (!this.destroyed) this.push(chunk)
      }
      if (this.queue.length === 0 && this.flushCb) { const f = this.flushCb; this.flushCb = null; f() }
      this.arm()
    }, Math.max(0, head.at - performance.now()))
  }

  override _flush(cb: TransformCallback): void {
    if (this.queue.length === 0) cb()
    else this.flushCb = cb
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.queue.length = 0
    cb(err)
  }
}

export interface Link {
  a: string
  b: string
  shape: LinkShape
  /** bytes a→b and b→a since the link was made */
  ab: WireCounter
  ba: WireCounter
  cut(): void
}

/** Pipe s1 ⇄ s2 through shapers; `onBytes` counters accumulate across links. */
export function makeLink(a: string, b: string, s1: Duplex, s2: Duplex, shape: LinkShape, total?: WireCounter): Link {
  const ab: WireCounter = { bytes: 0 }
  const ba: WireCounter = { bytes: 0 }
  const countAb = total ? { get bytes() { return ab.bytes }, set bytes(v: number) { if (total) total.bytes += v - ab.bytes; ab.bytes = v } } : ab
  const countBa = total ? { get bytes() { return ba.bytes }, set bytes(v: number) { if (total) total.bytes += v - ba.bytes; ba.bytes = v } } : ba
  const t1 = new Shaper(shape, countAb)
  const t2 = new Shaper(shape, countBa)
  for (const s of [s1, s2, t1, t2]) s.on('error', () => {})
  s1.pipe(t1).pipe(s2).pipe(t2).pipe(s1)
  let cut = false
  return {
    a, b, shape, ab, ba,
    cut() {
      if (cut) return
      cut = true
      for (const s of [s1, s2, t1, t2]) s.destroy()
    },
  }
}
