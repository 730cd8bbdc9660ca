import { describe, expect, it } from 'vitest'
import { generateIdentity, identityFromSeed, deterministicBytes } from '../../crypto/identity.ts'
import { LanTransport, libp2pPrivateKey } from './libp2p.ts'
import type { PeerConnection } from './transport.ts'
import { transportSuite } from './transport.suite.ts'

// loopback only, mDNS off: b dials a's multiaddr once a listens
transportSuite('lan (libp2p on loopback, mDNS off)', async (ia, ib, gateA, gateB) => {
  const a = new LanTransport({ identity: ia, gate: gateA, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  const b = new LanTransport({ identity: ib, gate: gateB, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  const aStart = a.start.bind(a), bStart = b.start.bind(b)
  let started: Promise<void> | null = null
  a.start = () => (started ??= aStart())
  b.start = async () => { await (started ??= aStart()); await bStart(); await b.dial(a.addresses()[0]!) }
  return { a, b, close: async () => { await b.stop(); await a.stop() } }
})

describe('lan transport identity', () => {
  it('the libp2p PeerId is the onset identity key', async () => {
    const id = identityFromSeed(deterministicBytes(32, Buffer.alloc(32, 7)))
    const key = libp2pPrivateKey(id)
    expect(Buffer.from(key.publicKey.raw).equals(id.publicKey)).toBe(true)
    const t = new LanTransport({ identity: id, gate: () => 'member', listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    await t.start()
    try {
      expect(t.addresses()[0]).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${t.peerId()}$`))
    } finally { await t.stop() }
  })

  it('keeps one stream per remote key when both sides dial each other', async () => {
    const ia = generateIdentity(), ib = generateIdentity()
    const a = new LanTransport({ identity: ia, gate: () => 'member', listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    const b = new LanTransport({ identity: ib, gate: () => 'member', listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    const seen = { a: [] as string[], b: [] as string[], refused: 0 }
    a.on('connection', (c) => seen.a.push(c.remoteKey)); b.on('connection', (c) => seen.b.push(c.remoteKey))
    a.on('refused', () => seen.refused++); b.on('refused', () => seen.refused++)
    await a.start(); await b.start()
    try {
      const settled = () => a.openStreams().length === 1 && b.openStreams().length === 1 &&
        a.openStreams()[0]!.handshakeHash !== null && b.openStreams()[0]!.handshakeHash !== null &&
        Buffer.from(a.openStreams()[0]!.handshakeHash!).equals(b.openStreams()[0]!.handshakeHash!)
      const settle = async () => {
        const deadline = Date.now() + 10_000
        while (!settled() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
        // both sides keep the same stream (same Noise session), and only that one
        expect(settled()).toBe(true)
      }
      await Promise.all([a.dial(b.addresses()[0]!), b.dial(a.addresses()[0]!)])
      await settle()
      // an extra dial from either side while a stream is up still leaves one stream
      await a.dial(b.addresses()[0]!)
      await settle()
      await b.dial(a.addresses()[0]!)
      await settle()
      expect(seen.refused).toBe(0)
      expect(seen.a.length).toBeGreaterThanOrEqual(1)
      expect(new Set(seen.a)).toEqual(new Set([ib.peerKey]))
      expect(new Set(seen.b)).toEqual(new Set([ia.peerKey]))
    } finally { await b.stop(); await a.stop() }
  })

  it('redials a configured address with backoff: first before the peer is up, again after it went away', async () => {
    const ia = generateIdentity(), ib = generateIdentity()
    const probe = new LanTransport({ identity: ia, gate: () => 'member', listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    await probe.start()
    const addr = probe.addresses()[0]!
    await probe.stop()
    const port = /\/tcp\/(\d+)\//.exec(addr)![1]!
    const b = new LanTransport({ identity: ib, gate: () => 'member', listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, connect: [addr], minBackoff: 20, maxBackoff: 100, random: () => 0.5 })
    const up = () => new LanTransport({ identity: ia, gate: () => 'member', listen: [`/ip4/127.0.0.1/tcp/${port}`], mdns: false })
    const conn = () => new Promise<PeerConnection>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no connection in time')), 15_000)
      b.once('connection', (c) => { clearTimeout(timer); resolve(c) })
    })
    let a = up()
    try {
      await b.start()
      const first = conn()
      await a.start()
      const c1 = await first
      expect(c1.remoteKey).toBe(ia.peerKey)
      const gone = new Promise<void>((resolve) => c1.stream.once('close', () => resolve()))
      await a.stop()
      await gone
      const second = conn()
      a = up()
      await a.start()
      expect((await second).remoteKey).toBe(ia.peerKey)
    } finally { await b.stop(); await a.stop() }
  })
})
