import createTestnet from 'hyperdht/testnet.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateIdentity } from '../../crypto/identity.ts'
import { SwarmTransport } from './swarm.ts'
import { transportSuite } from './transport.suite.ts'

let testnet: Awaited<ReturnType<typeof createTestnet>>
beforeAll(async () => { testnet = await createTestnet(3, { host: '127.0.0.1' }) })
afterAll(async () => { await testnet.destroy() })

let n = 0
transportSuite('internet (Hyperswarm on a local testnet)', async (ia, ib, gateA, gateB) => {
  const topic = Buffer.alloc(32, ++n)
  const a = new SwarmTransport({ identity: ia, gate: gateA, topic, bootstrap: testnet.bootstrap, host: '127.0.0.1' })
  const b = new SwarmTransport({ identity: ib, gate: gateB, topic, bootstrap: testnet.bootstrap, host: '127.0.0.1' })
  // the second joiner must join after the first has announced (await flushed in start)
  const aStart = a.start.bind(a)
  let started: Promise<void> | null = null
  a.start = () => (started ??= aStart())
  const bStart = b.start.bind(b)
  b.start = async () => { await (started ??= aStart()); await bStart() }
  return { a, b, close: async () => { await b.stop(); await a.stop() } }
})

describe('internet transport configuration', () => {
  it('refuses to start without bootstrap nodes unless the public DHT is chosen', () => {
    expect(() => new SwarmTransport({ identity: generateIdentity(), gate: () => 'member', topic: Buffer.alloc(32) })).toThrow(/needs bootstrap nodes/)
  })
})
