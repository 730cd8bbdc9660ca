// Direct transport redial policy: a peer that keeps refusing us must not be redialed at the
// minimum backoff forever; the backoff grows until a connection has stayed up a while.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { generateIdentity } from '../src/crypto/identity.ts'
import { DirectTransport } from '../src/replicate/transport/direct.ts'
import type { Refusal } from '../src/replicate/transport/transport.ts'

afterEach(() => { vi.restoreAllMocks() })

describe('direct transport redial backoff', () => {
  it('grows while the remote refuses us right after the handshake', async () => {
    const ia = generateIdentity(), ib = generateIdentity()
    const a = new DirectTransport({ identity: ia, gate: () => 'refuse', listen: { host: '127.0.0.1', port: 0 } })
    await a.start()
    // record the delays b schedules its redials with (the timer callbacks that call dial)
    const delays: number[] = []
    const real = globalThis.setTimeout
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      if (String(fn).includes('this.dial(')) delays.push(ms ?? 0)
      return real(fn, ms)
    }) as typeof setTimeout)
    const b = new DirectTransport({ identity: ib, gate: () => 'member', minBackoff: 20, maxBackoff: 10_000, random: () => 1 })
    const refusals: Refusal[] = []
    const fourth = new Promise<void>((resolve, reject) => {
      const timer = real(() => reject(new Error(`only ${refusals.length} refusals in time`)), 15_000)
      a.on('refused', (r) => { refusals.push(r); if (refusals.length === 4) { clearTimeout(timer); resolve() } })
    })
    try {
      b.dial(a.address()!)
      await fourth
      expect(refusals.every((r) => r.remoteKey === ib.peerKey)).toBe(true)
      expect(delays.length).toBeGreaterThanOrEqual(3)
      for (let i = 1; i < 3; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]!)
    } finally { await b.stop(); await a.stop() }
  })
})
