import { describe, expect, it } from 'vitest'
import { DirectTransport, parseHostPort } from './direct.ts'
import { transportSuite } from './transport.suite.ts'

transportSuite('direct (TCP on loopback)', async (ia, ib, gateA, gateB) => {
  const a = new DirectTransport({ identity: ia, gate: gateA, listen: { host: '127.0.0.1', port: 0 } })
  // b dials a once a has a port
  const origStart = a.start.bind(a)
  const b = new DirectTransport({ identity: ib, gate: gateB, minBackoff: 50, maxBackoff: 200, random: () => 0.5 })
  let started: Promise<void> | null = null
  a.start = () => (started ??= origStart())
  b.start = async () => { await (started ??= origStart()); b.dial(a.address()!) }
  return { a, b, close: async () => { await b.stop(); await a.stop() } }
})

describe('host:port parsing', () => {
  it('accepts host:port and [v6]:port, refuses the rest clearly', () => {
    expect(parseHostPort('127.0.0.1:4000')).toEqual({ host: '127.0.0.1', port: 4000 })
    expect(parseHostPort('[::1]:4000')).toEqual({ host: '::1', port: 4000 })
    expect(() => parseHostPort('localhost')).toThrow(/not a host:port/)
    expect(() => parseHostPort('a:99999')).toThrow(/not a host:port/)
  })
})
