// The conformance suite every transport must pass: the remote key is proven, refused keys get
// no data, bytes flow both ways, stop() leaves nothing running.
import { once } from 'node:events'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import Corestore from 'corestore'
import { describe, expect, it } from 'vitest'
import { deterministicBytes, generateIdentity, type Identity } from '../../crypto/identity.ts'
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

/** Socket/server handles of this process by kind (what a transport could leak). */
function netHandles(): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) if (/TCP|UDP|Pipe/.test(r)) out[r] = (out[r] ?? 0) + 1
  return out
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

function closed(stream: { destroyed: boolean, once(e: 'close', f: () => void): unknown }, ms = 10_000): Promise<void> {
  if (stream.destroyed) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('stream not closed in time')), ms)
    stream.once('close', () => { clearTimeout(timer); resolve() })
  })
}

/** Bytes replicated through Corestore in the large-transfer case (64 MiB, 1 MiB blocks). */
export const LARGE_TRANSFER_BYTES = 64 * 1024 * 1024
const BLOCK = 1024 * 1024

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

    it('stop() closes every connection and leaves no sockets or servers behind', async () => {
      const before = netHandles()
      const ia = generateIdentity(), ib = generateIdentity()
      const pair = await makePair(ia, ib, allow, allow)
      let ca: PeerConnection | null = null, cb: PeerConnection | null = null
      try {
        const connA = nextConnection(pair.a), connB = nextConnection(pair.b)
        await Promise.all([pair.a.start(), pair.b.start()]);
        [ca, cb] = await Promise.all([connA, connB])
      } finally { await pair.close() }
      await Promise.all([closed(ca.stream), closed(cb.stream)])
      const leaked = () => Object.entries(netHandles()).filter(([k, n]) => n > (before[k] ?? 0))
      await until(() => leaked().length === 0, 10_000, `handles to close (left: ${JSON.stringify(leaked())})`).catch(() => {})
      expect(leaked()).toEqual([])
    })

    it('carries a 64 MiB Corestore replication intact', async () => {
      const ia = generateIdentity(), ib = generateIdentity()
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onset-transport-'))
      const storeA = new Corestore(path.join(dir, 'a'), { unsafe: true })
      const storeB = new Corestore(path.join(dir, 'b'), { unsafe: true })
      const pair = await makePair(ia, ib, allow, allow)
      try {
        const core = storeA.get({ name: 'media' })
        await core.ready()
        const n = LARGE_TRANSFER_BYTES / BLOCK
        for (let i = 0; i < n; i++) await core.append(deterministicBytes(BLOCK, Buffer.alloc(32, i)))
        const connA = nextConnection(pair.a), connB = nextConnection(pair.b)
        await Promise.all([pair.a.start(), pair.b.start()])
        const [ca, cb] = await Promise.all([connA, connB])
        storeA.replicate(ca.stream)
        storeB.replicate(cb.stream)
        const copy = storeB.get({ key: core.key })
        await copy.ready()
        await copy.update({ wait: true })
        expect(copy.length).toBe(n)
        await copy.download({ start: 0, end: n }).done()
        expect(copy.contiguousLength).toBe(n)
        for (const i of [0, 1, n >> 1, n - 1]) {
          expect(Buffer.from(await copy.get(i) as Buffer).equals(deterministicBytes(BLOCK, Buffer.alloc(32, i)))).toBe(true)
        }
      } finally {
        await pair.close()
        await storeB.close()
        await storeA.close()
        await fs.rm(dir, { recursive: true, force: true })
      }
    }, 120_000)
  })
}
