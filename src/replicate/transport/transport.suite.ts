// The conformance suite every transport must pass: the remote key is proven, refused keys get
// no data, bytes flow both ways, stop() leaves nothing running.
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { generateIdentity, type Identity } from '../../crypto/identity.ts'
import type { PeerKey } from '../../crypto/ids.ts'
import type { AccessGate, PeerConnection, Refusal, Transport } from './transport.ts'

export interface TransportPair {
  a: Transport
  b: Transport
  close(): Promise<void>
}

export type PairFactory = (ia: Identity, ib: Identity, gateA: AccessGate, gateB: AccessGate) => Promise<TransportPair>

const allow: AccessGate = () => 'member'

function nextConnection(t: Transport, ms = 20_000): Promise<PeerConnection> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connection in time')), ms)
    t.once('connection', (c) => { clearTimeout(timer); resolve(c) })
  })
}

function nextRefusal(t: Transport, ms = 20_000): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no refusal in time')), ms)
    t.once('refused', (r) => { clearTimeout(timer); resolve(r) })
  })
}

export function transportSuite(name: string, makePair: PairFactory): void {
  describe(`transport conformance: ${name}`, () => {
    it('connects, proves each side\'s identity key, and carries bytes both ways', async () => {
      const ia = generateIdentity(), ib = generateIdentity()
      const seenA: PeerKey[] = []
      const pair = await makePair(ia, ib, (k) => { seenA.push(k); return 'member' }, allow)
      try {
        const connA = nextConnection(pair.a), connB = nextConnection(pair.b)
        await Promise.all([pair.a.start(), pair.b.start()])
        const [ca, cb] = await Promise.all([connA, connB])
        expect(ca.remoteKey).toBe(ib.peerKey)
        expect(cb.remoteKey).toBe(ia.peerKey)
        expect(seenA).toContain(ib.peerKey)
        const got = once(cb.stream, 'data')
        ca.stream.write(Buffer.from('hello from A'))
        expect(Buffer.from((await got)[0] as Buffer).toString()).toBe('hello from A')
        const back = once(ca.stream, 'data')
        cb.stream.write(Buffer.from('and back'))
        expect(Buffer.from((await back)[0] as Buffer).toString()).toBe('and back')
      } finally { await pair.close() }
    })

    it('a refused key gets no data: the refusing side reports it, the other sees the stream close', async () => {
      const ia = generateIdentity(), ib = generateIdentity()
      const pair = await makePair(ia, ib, () => 'refuse', allow)
      try {
        const refused = nextRefusal(pair.a)
        const connB = nextConnection(pair.b)
        await Promise.all([pair.a.start(), pair.b.start()])
        const r = await refused
        expect(r.remoteKey).toBe(ib.peerKey)
        expect(r.reason).toMatch(/not a current member/)
        const cb = await connB.catch(() => null)
        if (cb) {
          let data = false
          cb.stream.on('data', () => { data = true })
          if (!cb.stream.destroyed) await new Promise<void>((resolve) => cb.stream.once('close', () => resolve()))
          expect(data).toBe(false)
        }
      } finally { await pair.close() }
    })
  })
}
