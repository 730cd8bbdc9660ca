/**
 * A libp2p 3 protocol Stream (a message stream: `send()` / `onDrain()`, events 'message',
 * 'remoteCloseWrite', 'close') seen as a streamx Duplex of bytes, so a Noise secret stream (and
 * then Corestore replication / Protomux) can run over it like over a TCP socket.
 *
 * Back-pressure both ways: a full streamx read buffer pauses the libp2p stream (yamux then
 * stops the remote by its window) until streamx asks for more; `send()` returning false holds
 * the write callback until `onDrain()`.
 */
import type { Stream } from '@libp2p/interface'
import { Duplex } from 'streamx'

function bytes(d: Uint8Array | { subarray(): Uint8Array }): Uint8Array {
  return d instanceof Uint8Array ? d : d.subarray()
}

export class Libp2pStreamDuplex extends Duplex {
  readonly stream: Stream
  private paused = false

  constructor(stream: Stream) {
    super()
    this.stream = stream
    stream.addEventListener('message', (e) => {
      if (!this.push(bytes(e.data)) && !this.paused) {
        this.paused = true
        stream.pause()
      }
    })
    stream.addEventListener('remoteCloseWrite', () => { this.push(null) })
    stream.addEventListener('close', (e) => {
      if (e.error) this.destroy(e.error)
      else { this.push(null); this.destroy() }
    })
  }

  override _read(cb: (err: Error | null) => void): void {
    if (this.paused) {
      this.paused = false
      this.stream.resume()
    }
    cb(null)
  }

  override _write(data: unknown, cb: (err: Error | null) => void): void {
    try {
      if (this.stream.send(data as Uint8Array)) cb(null)
      else this.stream.onDrain().then(() => cb(null), (err: Error) => cb(err))
    } catch (err) {
      cb(err as Error)
    }
  }

  override _final(cb: (err: Error | null) => void): void {
    this.stream.close().then(() => cb(null), (err: Error) => cb(err))
  }

  override _destroy(cb: (err: Error | null) => void): void {
    if (this.stream.status === 'open' || this.stream.status === 'closing') this.stream.abort(new Error('onset stream destroyed'))
    cb(null)
  }
}
