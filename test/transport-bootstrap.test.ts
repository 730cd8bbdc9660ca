// `onset bootstrap` for a set LAN with no internet: one bootstrap node (runBootstrapNode) is all
// two internet-transport peers need to find each other on a production topic (loopback here).
import { afterAll, describe, expect, it } from 'vitest'
import type HyperDHT from 'hyperdht'
import { generateIdentity } from '../src/crypto/identity.ts'
import { topicFor } from '../src/crypto/secrets.ts'
import { runBootstrapNode, SwarmTransport } from '../src/replicate/transport/swarm.ts'
import type { PeerConnection, Transport } from '../src/replicate/transport/transport.ts'
import { freeUdpPort } from './helpers/ports.ts'

let node: HyperDHT | null = null
const transports: Transport[] = []
afterAll(async () => {
  for (const t of transports) await t.stop()
  await node?.destroy()
})

function nextConnection(t: Transport, ms = 20_000): Promise<PeerConnection> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connection in time')), ms)
    t.once('connection', (c) => { clearTimeout(timer); resolve(c) })
  })
}

describe('a single local bootstrap node', () => {
  it('is enough for two peers to meet on the production topic', async () => {
    const port = await freeUdpPort()
    node = await runBootstrapNode('127.0.0.1', port)
    expect(node.address().port).toBe(port)
    const topic = topicFor(Buffer.alloc(32, 9))
    const ia = generateIdentity(), ib = generateIdentity()
    const bootstrap = [{ host: '127.0.0.1', port }]
    const a = new SwarmTransport({ identity: ia, gate: () => 'member', topic, bootstrap, host: '127.0.0.1' })
    const b = new SwarmTransport({ identity: ib, gate: () => 'member', topic, bootstrap, host: '127.0.0.1' })
    transports.push(a, b)
    const ca = nextConnection(a), cb = nextConnection(b)
    await a.start()
    await b.start()
    expect((await ca).remoteKey).toBe(ib.peerKey)
    expect((await cb).remoteKey).toBe(ia.peerKey)
  })
})
